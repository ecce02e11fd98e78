/** A container's `SERVICE_*` value that cannot be registered: that container is skipped. */
export class InvalidMetadataError extends Error {
  constructor(readonly container: string, readonly key: string, message: string) {
    super(`container ${container}: SERVICE_${key.toUpperCase()}: ${message}`);
  }
}
