import { describe, expect, it } from "vitest";
import {
  MI,
  QuantityError,
  canonicalize,
  formatCpu,
  formatMemory,
  formatQuantity,
  multiplyUp,
  nanosFromNumber,
  parseQuantity,
  parseQuantityWithFormat,
  roundUpTo,
  type QuantityFormat,
} from "../../../src/recommend/quantity.ts";

const n = (units: bigint | number, scale = 0): bigint => BigInt(units) * 10n ** BigInt(scale + 9);

describe("parseQuantity: every form the API accepts, exactly", () => {
  it.each<{ input: string; nanos: bigint; format: QuantityFormat }>([
    { input: "0", nanos: 0n, format: "DecimalSI" },
    { input: "0n", nanos: 0n, format: "DecimalSI" },
    // binary suffixes
    { input: "1Ki", nanos: n(1024), format: "BinarySI" },
    { input: "7Mi", nanos: n(7 * 2 ** 20), format: "BinarySI" },
    { input: "6Gi", nanos: n(6n * 2n ** 30n), format: "BinarySI" },
    { input: "5Ti", nanos: n(5n * 2n ** 40n), format: "BinarySI" },
    { input: "4Pi", nanos: n(4n * 2n ** 50n), format: "BinarySI" },
    { input: "3Ei", nanos: n(3n * 2n ** 60n), format: "BinarySI" },
    // decimal suffixes
    { input: "5n", nanos: 5n, format: "DecimalSI" },
    { input: "4u", nanos: 4000n, format: "DecimalSI" },
    { input: "3m", nanos: 3_000_000n, format: "DecimalSI" },
    { input: "9", nanos: n(9), format: "DecimalSI" },
    { input: "8k", nanos: n(8, 3), format: "DecimalSI" },
    { input: "7M", nanos: n(7, 6), format: "DecimalSI" },
    { input: "6G", nanos: n(6, 9), format: "DecimalSI" },
    { input: "5T", nanos: n(5, 12), format: "DecimalSI" },
    { input: "2P", nanos: n(2, 15), format: "DecimalSI" },
    { input: "1E", nanos: n(1, 18), format: "DecimalSI" },
    // decimal exponents
    { input: "1E-3", nanos: 1_000_000n, format: "DecimalExponent" },
    { input: "1e3", nanos: n(1, 3), format: "DecimalExponent" },
    { input: "12e6", nanos: n(12, 6), format: "DecimalExponent" },
    { input: "1.3E+6", nanos: n(13, 5), format: "DecimalExponent" },
    { input: "0.5e-1", nanos: 50_000_000n, format: "DecimalExponent" },
    // signs and fractions
    { input: "+5", nanos: n(5), format: "DecimalSI" },
    { input: "-0", nanos: 0n, format: "DecimalSI" },
    { input: "0.5", nanos: 500_000_000n, format: "DecimalSI" },
    { input: "1.5Gi", nanos: n(1536n * 2n ** 20n), format: "BinarySI" },
    { input: "100.035k", nanos: n(100035), format: "DecimalSI" },
    { input: "0.0005k", nanos: 500_000_000n, format: "DecimalSI" },
    { input: "6.987654321G", nanos: n(6987654321), format: "DecimalSI" },
    { input: "100.035Ki", nanos: 10243584n * 10n ** 7n, format: "BinarySI" },
    { input: ".001", nanos: 1_000_000n, format: "DecimalSI" },
    { input: "1.", nanos: n(1), format: "DecimalSI" },
    { input: "1.G", nanos: n(1, 9), format: "DecimalSI" },
    { input: "0.000000001", nanos: 1n, format: "DecimalSI" },
  ])("$input", ({ input, nanos, format }) => {
    expect(parseQuantityWithFormat(input)).toEqual({ nanos, format });
  });

  it("accepts negatives only when asked", () => {
    expect(parseQuantity("-40Mi", { allowNegative: true })).toBe(-40n * MI);
  });

  it("rounds precision finer than 1n up only when asked, as the API server does", () => {
    expect(parseQuantity("3.001n", { precision: "round-up" })).toBe(4n);
    expect(parseQuantity("0.00000012345", { precision: "round-up" })).toBe(124n);
    expect(parseQuantity("0.000000000001Ki", { precision: "round-up" })).toBe(2n);
  });
});

describe("parseQuantity refuses what is not a quantity, naming the value and what is accepted", () => {
  it.each<{ input: string; options?: Parameters<typeof parseQuantity>[1]; message: RegExp }>([
    { input: "", message: /invalid quantity "": not a number/ },
    { input: "aoeu", message: /"aoeu": not a number/ },
    { input: "1.1.M", message: /unknown suffix "\.M"/ },
    { input: "1+1.0M", message: /unknown suffix "\+1\.0M"/ },
    { input: "0.1mi", message: /unknown suffix "mi"/ },
    { input: "1i", message: /unknown suffix "i"/ },
    { input: "-3.01e-", message: /unknown suffix "e-"/ },
    { input: "+.", message: /not a number/ },
    { input: ".", message: /not a number/ },
    { input: " 1", message: /not a number/ },
    { input: "1 ", message: /unknown suffix " "/ },
    { input: "1e999999999", message: /exponent 999999999 is out of range/ },
    { input: "-1", message: /"-1": negative/ },
    { input: "-100Mi", message: /negative/ },
    { input: "8Ei", message: /too large \(at most 2\^63-1/ },
    { input: "9223372036854775808", message: /too large/ },
    { input: "1e30", message: /too large/ },
    { input: "0.0000000001", message: /finer than 1n/ },
    { input: "1.5m", options: { precision: "milli" }, message: /finer than 1m \(more than 3 decimal places\)/ },
    { input: "0.0005", options: { precision: "milli" }, message: /finer than 1m/ },
  ])("$input", ({ input, options, message }) => {
    expect(() => parseQuantity(input, options)).toThrow(QuantityError);
    expect(() => parseQuantity(input, options)).toThrow(message);
  });

  it("hints at the accepted forms", () => {
    try {
      parseQuantity("12 cores");
      expect.unreachable();
    } catch (error) {
      expect((error as QuantityError).hint).toMatch(/Ki Mi Gi Ti Pi Ei/);
    }
  });

  it("keeps the largest int64 value", () => {
    expect(parseQuantity("9223372036854775807")).toBe((2n ** 63n - 1n) * 10n ** 9n);
  });
});

describe("canonical printing", () => {
  it.each<{ input: string; cpu: string; memory: string }>([
    { input: "260m", cpu: "260m", memory: "260m" },
    { input: "2", cpu: "2", memory: "2" },
    { input: "2000m", cpu: "2", memory: "2" },
    { input: "0.1", cpu: "100m", memory: "100m" },
    { input: "1.5", cpu: "1500m", memory: "1500m" },
    { input: "123456789n", cpu: "123456789n", memory: "123456789n" },
    { input: "1500u", cpu: "1500u", memory: "1500u" },
    { input: "156Mi", cpu: "163577856", memory: "156Mi" },
    { input: "200Mi", cpu: "209715200", memory: "200Mi" },
    { input: "1024Mi", cpu: "1073741824", memory: "1Gi" },
    { input: "1.5Gi", cpu: "1610612736", memory: "1536Mi" },
    { input: "129e6", cpu: "129000000", memory: "129M" },
    { input: "1500", cpu: "1500", memory: "1500" },
    { input: "2048", cpu: "2048", memory: "2Ki" },
    { input: "1025", cpu: "1025", memory: "1025" },
  ])("$input -> cpu $cpu, memory $memory", ({ input, cpu, memory }) => {
    const nanos = parseQuantity(input);
    expect(formatCpu(nanos)).toBe(cpu);
    expect(formatMemory(nanos)).toBe(memory);
    expect(formatQuantity("memory", nanos)).toBe(memory);
    expect(formatQuantity("cpu", nanos)).toBe(cpu);
    expect(parseQuantity(cpu)).toBe(nanos);
    expect(parseQuantity(memory)).toBe(nanos);
  });

  it("prints negative deltas", () => {
    expect(formatMemory(-40n * MI)).toBe("-40Mi");
    expect(formatCpu(-60_000_000n)).toBe("-60m");
  });
});

describe("round trips against the Kubernetes documentation", () => {
  // "Resource Management for Pods and Containers": these are roughly the same value.
  it.each(["128974848", "129e6", "129M", "128974848000m", "123Mi"])("memory %s", (input) => {
    const nanos = parseQuantity(input);
    expect(parseQuantity(formatMemory(nanos))).toBe(nanos);
    expect(Number(nanos / 10n ** 9n)).toBeGreaterThanOrEqual(128974848);
    expect(Number(nanos / 10n ** 9n)).toBeLessThanOrEqual(129000000);
  });

  it("123Mi and 128974848 are the same number of bytes", () => {
    expect(parseQuantity("123Mi")).toBe(parseQuantity("128974848"));
    expect(parseQuantity("128974848000m")).toBe(parseQuantity("128974848"));
    expect(parseQuantity("129e6")).toBe(parseQuantity("129M"));
  });

  it.each([
    // input -> what the API server prints back (resource.Quantity canonical form)
    ["0.1", "100m"],
    ["400m", "400m"],
    ["0.5", "500m"],
    ["1", "1"],
    ["1.5", "1500m"],
    ["1500m", "1500m"],
    ["1Gi", "1Gi"],
    ["1024Mi", "1Gi"],
    ["1.5Gi", "1536Mi"],
    ["0.5Mi", "512Ki"],
    ["128974848", "128974848"],
    ["129e6", "129e6"],
    ["129M", "129M"],
    ["128974848000m", "128974848"],
    ["123Mi", "123Mi"],
    ["1e3", "1e3"],
    ["1E-3", "1e-3"],
    ["12e6", "12e6"],
    ["1.2e3", "1200"],
    ["100.035k", "100035"],
    ["10.035M", "10035k"],
    ["1000Ki", "1000Ki"],
    ["1023", "1023"],
    ["100.035Ki", "102435840m"],
    ["0.000000000001Ki", "2n"],
    ["3.001n", "4n"],
    ["-1.5", "-1500m"],
  ])("%s -> %s", (input, want) => {
    expect(canonicalize(input)).toBe(want);
    expect(canonicalize(want)).toBe(want);
  });
});

describe("exact arithmetic helpers", () => {
  it("multiplies by the margin without floats", () => {
    expect(multiplyUp(parseQuantity("120Mi"), "1.30")).toBe(156n * MI);
    expect(multiplyUp(parseQuantity("200m"), "1.30")).toBe(parseQuantity("260m"));
    expect(multiplyUp(1n, "1.30")).toBe(2n);
  });

  it("rounds up to a step", () => {
    expect(roundUpTo(195n * MI, 8n * MI)).toBe(200n * MI);
    expect(roundUpTo(200n * MI, 8n * MI)).toBe(200n * MI);
    expect(roundUpTo(0n, 8n * MI)).toBe(0n);
  });

  it.each<[number, bigint]>([
    [0.2, 200_000_000n],
    [0.20000000000000004, 200_000_000n],
    [0.19999999999999998, 200_000_000n],
    [125829120, 125829120n * 10n ** 9n],
    [1.2582912e8, 125829120n * 10n ** 9n],
    [0, 0n],
    [1e-12, 0n],
    [157286400.5, 1572864005n * 10n ** 8n],
  ])("float from a metrics backend %d -> %s nanos", (value, want) => {
    expect(nanosFromNumber(value)).toBe(want);
  });

  it("refuses NaN and infinities from a metrics backend", () => {
    expect(() => nanosFromNumber(Number.NaN)).toThrow(/not a finite number/);
    expect(() => nanosFromNumber(Infinity)).toThrow(QuantityError);
  });
});

describe("large exponents stay exact", () => {
  it("reads a tiny mantissa with a large exponent by its value", () => {
    expect(parseQuantity("0.00000000000001e30")).toBe(10n ** 16n * 10n ** 9n);
  });
});
