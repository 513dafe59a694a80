// IndexedDB housekeeping shared by the cases that write to it.

/** Deletes database `name`; resolves once it is gone. */
export const deleteDatabase = (name) =>
  new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = resolve;
    request.onerror = () => reject(request.error);
  });
