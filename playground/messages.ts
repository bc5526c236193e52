// Errors as the page shows them: the library's messages are for a user already, except the
// few that speak of the API's plumbing; those are said in the page's terms.

export function userMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text
    .replace(/cannot read data file '([^']*)' for data set '([^']*)': no file system here[^\n]*/g, (_m, path: string, name: string) => `data set '${name}' reads '${path}': choose the file ${baseName(path)} under "Data" (the page reads only the files you give it)`)
    .replace(/\s+at \S+ \(.*\)$/gm, '');
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
