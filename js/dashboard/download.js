// Saves a JSON value as a file download, without a server round trip.
export function downloadJson(filename, value) {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: the download reads the blob asynchronously after click().
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
