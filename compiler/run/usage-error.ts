/** A run, show or serve command given arguments it cannot use: exit 2 with the message. */
export class RunUsageError extends Error {}
