// `pmix sample m.json | head -2`: when the reader closes the pipe, the output is no longer
// wanted; pmix ends quietly with exit 0 (as `yes | head` does) instead of an EPIPE stack trace.
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
