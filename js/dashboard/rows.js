// A route row's identity: the same path under another method is another row.
export const rowKey = (row) => `${row.method} ${row.route}`;
