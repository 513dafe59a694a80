// esbuild settings shared by the page's peers bundle and the size case.
import { build } from "esbuild";

/** Bundles `entry` for browsers as an ES module; returns the output text. */
export async function bundle(entry, { minify = false, outfile } = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
    write: Boolean(outfile),
    outfile,
  });
  return outfile ? null : result.outputFiles[0].text;
}
