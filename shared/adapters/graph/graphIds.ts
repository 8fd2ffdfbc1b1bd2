/**
 * Graph's object ids (events, users, subscriptions) are GUIDs or URL-safe base64 (`AAMkAG…=`):
 * letters, digits, `-`, `_`, `=` (and `+` in older ids). Anything else (`.`, `..`, `/`, `%`, `?`)
 * would change the URL it is put into, so it is refused before a path is built.
 */
const graphIdPattern = /^[A-Za-z0-9_=+-]{1,1024}$/;

export function isGraphId(value: string): boolean {
  return graphIdPattern.test(value);
}

/** A user is named by object id (a GUID) or user principal name (`alice@contoso.example`, a guest's `…#EXT#@…`). */
const userKeyPattern = /^[A-Za-z0-9_=+@.'#-]{1,256}$/;

/** Whether a user id or UPN can be put into a path as it is: never `.` or `..`, never a separator. */
export function isUserKey(value: string): boolean {
  return userKeyPattern.test(value) && value !== '.' && value !== '..';
}
