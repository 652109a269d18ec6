/**
 * The forms the domain's smart constructors accept, as JSON Schema patterns for the
 * OpenAPI document (the canonical forms: a constructor may also take surrounding blanks
 * or capitals, which it then removes).
 */
const HEX2 = '[0-9A-Fa-f]{2}';
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const CATEGORY = '[a-z0-9][a-z0-9._-]{0,63}';

export const PATTERNS = {
  mac: `^(?:[0-9A-Fa-f]{12}|${HEX2}(?::${HEX2}){5}|${HEX2}(?:-${HEX2}){5}|[0-9A-Fa-f]{4}(?:\\.[0-9A-Fa-f]{4}){2})$`,
  code: '^[0-9](?:[ -]*[0-9]){11}$',
  model: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  version: '^[!-~](?:[ -~]{0,62}[!-~])?$',
  revision: '^[A-Za-z0-9._-]{1,64}$',
  id: '^[A-Za-z0-9][A-Za-z0-9._@+:-]{0,127}$',
  domain: `^${LABEL}(?:\\.${LABEL})*$`,
  category: `^${CATEGORY}$`,
  selector: `^(?:\\*|${CATEGORY})$`,
  configType: '^[a-z][a-z0-9-]{0,31}$',
} as const;
