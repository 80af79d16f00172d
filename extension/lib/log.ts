// One place where unexpected errors are reported, so a feature never swallows a bug silently.
export function logError(where: string, error: unknown): void {
  console.error(`[giftstream] ${where}:`, error);
}
