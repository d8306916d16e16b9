import type { KubeObject, Service, StatefulSet } from "../../model/k8s.ts";
import type { Rule } from "../types.ts";
import { findingOfProblems, type Problem } from "./problems.ts";
import { isTerminating } from "./shared.ts";

/**
 * A StatefulSet whose spec names objects that are not there: a StorageClass for its
 * volumeClaimTemplates (the claims stay Pending and the pods never start), or its governing
 * Service (the pods get no stable DNS names `<pod>.<service>`, so peers cannot find each other);
 * a governing Service that is not headless publishes no such names either.
 *
 * Absence is judged only against a snapshot that holds objects of that kind: a dump without
 * Services or StorageClasses (or a live namespace without a single Service) cannot tell a
 * missing object from one not gathered.
 */
export const statefulSetMisconfigured: Rule = {
  id: "statefulset.misconfigured",
  category: "StatefulSetMisconfigured",
  kinds: ["StatefulSet"],
  evaluate(object, ctx) {
    const sts = object as StatefulSet;
    if (isTerminating(sts)) return [];
    const namespace = sts.metadata.namespace;
    const name = `StatefulSet/${sts.metadata.name}`;
    const problems: Problem[] = [];

    if (ctx.has("StorageClass")) {
      for (const template of Array.isArray(sts.spec.volumeClaimTemplates) ? sts.spec.volumeClaimTemplates : []) {
        const className = template.spec?.storageClassName;
        // Unset takes the default class; "" asks for a pre-provisioned volume without a class.
        if (typeof className !== "string" || className === "" || ctx.get<KubeObject>("StorageClass", undefined, className) !== undefined) continue;
        const claim = template.metadata?.name ?? "-";
        problems.push({
          severity: "high",
          confidence: 0.9,
          summary: `has volumeClaimTemplate ${claim} naming StorageClass ${className}, which does not exist`,
          evidence: [`spec.volumeClaimTemplates[${claim}].spec.storageClassName: ${className}: no such StorageClass (known: ${ctx.all("StorageClass").map((c) => c.metadata.name).slice(0, 5).join(", ")})`],
          action: "storage",
          // volumeClaimTemplates are immutable: the class is created, or the StatefulSet recreated.
          fix: `Create StorageClass ${className}, or recreate ${name} with an existing class (kubectl delete --cascade=orphan, then apply the fixed manifest).`,
        });
      }
    }

    const serviceName = sts.spec.serviceName;
    if (typeof serviceName === "string" && serviceName !== "" && ctx.has("Service")) {
      const service = ctx.get<Service>("Service", namespace, serviceName);
      if (service === undefined) {
        problems.push({
          severity: "medium",
          confidence: 0.9,
          summary: `names governing Service ${serviceName}, which does not exist`,
          evidence: [`spec.serviceName: ${serviceName}: no Service ${namespace ?? "-"}/${serviceName} (${ctx.all("Service", namespace).length} Service(s) in the namespace)`],
          action: "config",
          fix: `Create the headless Service ${serviceName} (clusterIP: None, selecting the pods of ${name}), or fix spec.serviceName.`,
        });
      } else if (service.spec.clusterIP !== undefined && service.spec.clusterIP !== "None" && service.spec.type !== "ExternalName") {
        // Only a headless Service publishes one DNS record per pod.
        problems.push({
          severity: "low",
          confidence: 0.8,
          summary: `has governing Service ${serviceName}, which is not headless, so its pods get no DNS names of their own`,
          evidence: [`spec.serviceName: ${serviceName}: Service ${namespace ?? "-"}/${serviceName} has spec.clusterIP ${service.spec.clusterIP} (a governing Service needs clusterIP: None)`],
          action: "config",
          fix: `Make Service ${serviceName} headless (clusterIP: None; the field is immutable, so recreate it), or point spec.serviceName of ${name} at a headless one.`,
        });
      }
    }
    return findingOfProblems(statefulSetMisconfigured, sts, ctx, problems);
  },
};
