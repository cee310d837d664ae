/** DNs compared as the directory would: case and spaces around separators do not count. */
export const normalDn = (dn: string) => dn.trim().replace(/\s*([,=+])\s*/g, '$1').toLowerCase();
