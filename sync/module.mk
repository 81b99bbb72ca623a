# sync/: documents, signing, the True API client, the outbox runner.
sync-y +=
