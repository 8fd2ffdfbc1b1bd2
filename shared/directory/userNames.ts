/** A directory user's name and address, as shown to an administrator; never stored. */
export interface UserName {
  displayName: string | null;
  mail: string | null;
}

/**
 * Resolves users' display names and mail from the directory when an administrator looks at them.
 * The service keeps users by object id only; names are read at view time and never written.
 */
export interface UserNames {
  /** Names by user id; ids the directory does not know are left out. */
  namesOf(tenantId: string, userIds: readonly string[]): Promise<Map<string, UserName>>;
}
