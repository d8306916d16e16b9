import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { containerStatuses } from "../finding.ts";
import type { Category, Finding, Rule } from "../types.ts";
import { isTerminating } from "./shared.ts";

/**
 * The shape the three probe rules (liveness, readiness, startup) share: a Pod rule that skips
 * pods shutting down (and whatever else `skipPod` says) and judges each container on its own.
 */
export function probeRule(spec: {
  id: string;
  category: Category;
  /** Pods the rule does not judge at all, beyond those being deleted. */
  skipPod?: (pod: Pod, ctx: RuleContext) => boolean;
  evaluateContainer: (pod: Pod, status: ContainerStatus, ctx: RuleContext) => Finding[];
}): Rule {
  return {
    id: spec.id,
    category: spec.category,
    kinds: ["Pod"],
    evaluate(object, ctx) {
      const pod = object as Pod;
      if (isTerminating(pod) || spec.skipPod?.(pod, ctx) === true) return [];
      return containerStatuses(pod).flatMap((s) => spec.evaluateContainer(pod, s, ctx));
    },
  };
}
