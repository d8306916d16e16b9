import { expect } from "vitest";
import { gatewayMisconfigured } from "../../../../src/diagnose/rules/gateway-misconfigured.ts";
import { gateway, gatewayClass, httpRoute, namespaceObject, serviceWithPorts } from "../../../helpers/network-objects.ts";
import { ago, cond, DAY, evidenceWith, HOUR, MIN, NS, ref, service, testRule } from "../../../helpers/objects.ts";

const example = gatewayClass("example");
const web = service("web");
const pending = (type: string, since: string) => cond(type, "Unknown", "Pending", "Waiting for controller", since);

testRule(gatewayMisconfigured, [
  { name: "a Gateway accepted and programmed: none", objects: [gateway("gw"), example], want: [] },
  { name: "a Gateway with no conditions yet: none", objects: [gateway("gw", { conditions: [] }), example], want: [] },
  {
    name: "a GatewayClass that does not exist",
    objects: [gateway("gw", { className: "exmaple" }), example],
    want: [
      {
        id: "gateway.misconfigured",
        category: "GatewayMisconfigured",
        object: ref("Gateway", "gw"),
        severity: "high",
        confidence: 0.9,
        summary: "Gateway gw uses GatewayClass exmaple, which does not exist (did you mean example?): no controller serves it.",
        evidence: evidenceWith("spec.gatewayClassName: exmaple", "GatewayClasses: example"),
        remediation: { action: "config", tier: "medium" },
        runbook: "runbooks/gatewaymisconfigured.md",
      },
    ],
  },
  { name: "a GatewayClass, but none in the input: cannot judge", objects: [gateway("gw", { className: "exmaple" })], want: [] },
  {
    name: "Programmed False",
    objects: [gateway("gw", { conditions: [cond("Accepted", "True", "Accepted"), cond("Programmed", "False", "AddressNotAssigned", "No addresses have been assigned to the Gateway", ago(HOUR))] }), example],
    want: [{ confidence: 0.95, summary: "Gateway gw is not Programmed (AddressNotAssigned: No addresses have been assigned to the Gateway).", evidence: evidenceWith("status.conditions[Programmed]: False reason=AddressNotAssigned") }],
  },
  {
    name: "Accepted False, not the first condition",
    objects: [gateway("gw", { conditions: [cond("Programmed", "True", "Programmed"), cond("Accepted", "False", "InvalidParameters", "parametersRef not found")] }), example],
    want: [{ summary: expect.stringContaining("is not Accepted (InvalidParameters: parametersRef not found)") }],
  },
  {
    name: "Accepted Unknown long after creation: no controller reconciles it",
    objects: [gateway("gw", { conditions: [pending("Accepted", ago(DAY)), pending("Programmed", ago(DAY))] }), example],
    want: [{ severity: "medium", confidence: 0.7, summary: "Gateway gw has not been reconciled by any controller (Accepted/Programmed still Unknown).", remediation: { action: "investigate" } }],
  },
  { name: "Accepted Unknown a minute after creation: still starting, none", objects: [gateway("gw", { created: ago(MIN), conditions: [pending("Accepted", ago(MIN)), pending("Programmed", ago(MIN))] }), example], want: [] },
  {
    name: "its GatewayClass was never accepted: the class is the cause",
    objects: [gateway("gw", { conditions: [pending("Accepted", ago(DAY)), pending("Programmed", ago(DAY))] }), gatewayClass("example", { accepted: pending("Accepted", ago(DAY)) })],
    want: [{ confidence: 0.7, summary: "Gateway gw uses GatewayClass example, which no controller has accepted (is example.com/example-controller running?).", evidence: evidenceWith("GatewayClass example controllerName: example.com/example-controller") }],
  },
  {
    name: "its GatewayClass was rejected",
    objects: [gateway("gw"), gatewayClass("example", { accepted: cond("Accepted", "False", "InvalidParameters", "unsupported parameters") })],
    want: [{ confidence: 0.9, summary: expect.stringContaining("which its controller example.com/example-controller did not accept (InvalidParameters)") }],
  },
  {
    name: "a listener whose certificate cannot be resolved",
    objects: [
      gateway("gw", {
        listeners: [{ name: "https", port: 443, protocol: "HTTPS" }],
        listenerConditions: { https: [cond("Accepted", "True", "Accepted"), cond("ResolvedRefs", "False", "InvalidCertificateRef", 'Secret "shop-tls" not found')] },
      }),
      example,
    ],
    want: [{ summary: "Gateway gw has listener https not ResolvedRefs (InvalidCertificateRef).", evidence: evidenceWith("status.listeners[https].conditions[ResolvedRefs]: False reason=InvalidCertificateRef", 'Secret "shop-tls" not found') }],
  },
  { name: "an HTTPRoute attached, accepted, backend present: none", objects: [gateway("gw"), httpRoute("shop"), web], want: [] },
  {
    name: "an HTTPRoute whose Gateway does not exist",
    objects: [gateway("other"), httpRoute("shop", { parentRefs: [{ name: "gw" }], parentConditions: [] }), web],
    want: [{ object: ref("HTTPRoute", "shop"), confidence: 0.9, summary: "HTTPRoute shop is attached to Gateway shop/gw, which does not exist.", evidence: evidenceWith("Gateway shop/gw: not found (Gateways in shop: other)") }],
  },
  { name: "an HTTPRoute whose Gateway is in a namespace the input does not cover: cannot judge", objects: [gateway("other"), httpRoute("shop", { parentRefs: [{ name: "gw", namespace: "infra" }], parentConditions: [] }), web], want: [] },
  {
    name: "an HTTPRoute in another namespace than a Gateway that admits routes from the Same namespace only",
    objects: [gateway("gw", { namespace: "infra" }), httpRoute("shop", { parentRefs: [{ name: "gw", namespace: "infra" }], parentConditions: [] }), web],
    want: [{ confidence: 0.8, summary: "HTTPRoute shop is attached to Gateway infra/gw, whose listeners do not admit routes from namespace shop.", evidence: evidenceWith("Gateway gw listener http: allowedRoutes.namespaces.from Same") }],
  },
  {
    name: "a Gateway admitting routes from namespaces by a selector the route's namespace does not match",
    objects: [
      gateway("gw", { namespace: "infra", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { "gateway-access": "true" } } } } }] }),
      httpRoute("shop", { parentRefs: [{ name: "gw", namespace: "infra" }], parentConditions: [] }),
      web,
      namespaceObject(NS),
    ],
    want: [{ evidence: evidenceWith("allowedRoutes.namespaces.from Selector selector gateway-access=true") }],
  },
  {
    name: "the same selector matched by the namespace's labels: none",
    objects: [
      gateway("gw", { namespace: "infra", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { "gateway-access": "true" } } } } }] }),
      httpRoute("shop", { parentRefs: [{ name: "gw", namespace: "infra" }] }),
      web,
      namespaceObject(NS, { "gateway-access": "true" }),
    ],
    want: [],
  },
  { name: "a sectionName naming no listener", objects: [gateway("gw"), httpRoute("shop", { parentRefs: [{ name: "gw", sectionName: "https" }], parentConditions: [] }), web], want: [{ summary: expect.stringContaining("is attached to listener https of Gateway shop/gw, which has no listener of that name") }] },
  {
    name: "a backend Service that does not exist",
    objects: [gateway("gw"), httpRoute("shop", { backendRefs: [{ name: "wbe", port: 80 }], parentConditions: [] }), web],
    want: [{ summary: "HTTPRoute shop sends traffic to Service shop/wbe, which does not exist (did you mean web?).", evidence: evidenceWith("Service shop/wbe: not found") }],
  },
  { name: "a backend port the Service does not expose", objects: [gateway("gw"), httpRoute("shop", { backendRefs: [{ name: "web", port: 8080 }], parentConditions: [] }), web], want: [{ summary: expect.stringContaining("sends traffic to port 8080 of Service shop/web, which does not expose it (ports: 80/TCP)") }] },
  { name: "a backendRef without a port: none", objects: [gateway("gw"), httpRoute("shop", { backendRefs: [{ name: "web" }] }), serviceWithPorts("web", [{ name: "http", port: 80 }])], want: [] },
  {
    name: "the Gateway's controller says ResolvedRefs False",
    objects: [gateway("gw"), httpRoute("shop", { backendRefs: [{ name: "web", port: 80, namespace: "payments" }], parentConditions: [cond("Accepted", "True", "Accepted"), cond("ResolvedRefs", "False", "RefNotPermitted", "backendRef payments/web not permitted by any ReferenceGrant")] }), web],
    want: [{ confidence: 0.95, summary: "HTTPRoute shop has references Gateway gw cannot resolve (RefNotPermitted).", evidence: evidenceWith("status.parents[gw].conditions[ResolvedRefs]: False reason=RefNotPermitted") }],
  },
  {
    name: "the Gateway's controller says Accepted False",
    objects: [gateway("gw"), httpRoute("shop", { parentConditions: [cond("Accepted", "False", "NotAllowedByListeners", "no listener allows this route")] }), web],
    want: [{ summary: expect.stringContaining("is not accepted by Gateway gw (NotAllowedByListeners)") }],
  },
]);

