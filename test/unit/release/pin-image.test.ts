import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RELEASE_IMAGE_REPOSITORY, imagesOf, pinImages, pinnedReference } from "../../../scripts/release/pin-image.mjs";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const DIGEST = `sha256:${"ab".repeat(32)}`;
const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };

describe("deploy/ pinned to the release image by digest", () => {
  it("replaces every image: value, in a list item or a field, and nothing else", () => {
    const text = "containers:\n- name: a\n  image: node:24-bookworm\n  env:\n  - {name: image, value: x}\n- image: busybox # old\ninitContainers:\n  - image:   foo:1\n";
    const ref = pinnedReference("1.2.3", DIGEST);
    const pinned = pinImages(text, ref);
    expect(imagesOf(pinned)).toEqual([ref, ref, ref]);
    expect(pinned).toContain("- {name: image, value: x}");
    expect(pinned).toContain(`- image: ${ref} # old`);
    expect(pinImages(pinned, ref)).toBe(pinned);
  });

  it("refuses what is not a manifest digest", () => {
    expect(() => pinnedReference("1.2.3", "latest")).toThrow(/not a manifest digest/);
  });

  it("every pod of deploy/ runs the release image of this version, by digest, and the same one", () => {
    const dir = path.join(ROOT, "deploy");
    const images = readdirSync(dir).filter((f) => f.endsWith(".yaml")).flatMap((f) => imagesOf(readFileSync(path.join(dir, f), "utf8")));
    expect(images.length).toBeGreaterThanOrEqual(2);
    expect(new Set(images).size).toBe(1);
    expect(images[0]).toMatch(new RegExp(`^${RELEASE_IMAGE_REPOSITORY.replace(/\./g, "\\.")}:v${version.replace(/\./g, "\\.")}@sha256:[0-9a-f]{64}$`));
  });
});
