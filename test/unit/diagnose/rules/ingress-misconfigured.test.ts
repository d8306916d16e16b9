import { expect } from "vitest";
import { ingressMisconfigured } from "../../../../src/diagnose/rules/ingress-misconfigured.ts";
import { ingress, ingressClass, serviceWithPorts } from "../../../helpers/network-objects.ts";
import { evidenceWith, ref, secret, service, testRule } from "../../../helpers/objects.ts";

const web = service("web");
const api = serviceWithPorts("api", [{ name: "http", port: 80, targetPort: 8080 }, { name: "grpc", port: 9090 }]);
const nginx = ingressClass("nginx");

testRule(ingressMisconfigured, [
  {
    name: "a backend Service that does not exist (typo): did you mean",
    objects: [ingress("shop", { paths: { "/": { service: "wbe", port: 80 } } }), web, nginx],
    want: [
      {
        id: "ingress.misconfigured",
        category: "IngressMisconfigured",
        object: ref("Ingress", "shop"),
        severity: "high",
        confidence: 0.9,
        summary: "Ingress shop routes spec.rules[shop.example.com].http.paths[/] to Service wbe, which does not exist (did you mean web?): requests get 503.",
        evidence: evidenceWith("spec.rules[shop.example.com].http.paths[/].backend.service.name: wbe", "Service shop/wbe: not found (Services in shop: web)"),
        remediation: { action: "config", tier: "medium", summary: expect.stringContaining("(web?)") },
        runbook: "runbooks/ingressmisconfigured.md",
      },
    ],
  },
  {
    name: "two paths to the same missing Service: one problem naming both",
    objects: [ingress("shop", { paths: { "/": { service: "cart", port: 80 }, "/checkout": { service: "cart", port: 80 } } }), web],
    want: [{ summary: "Ingress shop routes spec.rules[shop.example.com].http.paths[/], spec.rules[shop.example.com].http.paths[/checkout] to Service cart, which does not exist: requests get 503." }],
  },
  { name: "the default backend's Service does not exist", objects: [ingress("shop", { defaultBackend: { service: "fallback", port: 80 } }), web], want: [{ summary: expect.stringContaining("routes spec.defaultBackend to Service fallback, which does not exist") }] },
  { name: "a missing backend Service, but no Service in the input: cannot judge", objects: [ingress("shop", { paths: { "/": { service: "wbe", port: 80 } } })], want: [] },
  { name: "a resource backend instead of a Service: none", objects: [ingress("assets", { paths: { "/static": { resource: "static-assets" } } }), web], want: [] },
  {
    name: "a port number the Service does not expose",
    objects: [ingress("shop", { paths: { "/": { service: "web", port: 8080 } } }), web],
    want: [{ severity: "high", summary: "Ingress shop routes spec.rules[shop.example.com].http.paths[/] to port 8080 of Service web, which does not expose it (ports: 80/TCP).", evidence: evidenceWith("Service web spec.ports: 80/TCP") }],
  },
  { name: "a port name the Service does not expose", objects: [ingress("api", { paths: { "/": { service: "api", port: "https" } } }), api], want: [{ summary: expect.stringContaining("to port named https of Service api, which does not expose it (ports: 80/TCP (http), 9090/TCP (grpc))") }] },
  { name: "a port name the Service exposes: none", objects: [ingress("api", { paths: { "/": { service: "api", port: "grpc" } } }), api], want: [] },
  {
    name: "a missing Service and a port not exposed: the missing Service leads",
    objects: [ingress("shop", { paths: { "/": { service: "web-v2", port: 80 }, "/api": { service: "web", port: 8080 } } }), web],
    want: [{ summary: expect.stringMatching(/to Service web-v2, which does not exist \(did you mean web\?\): requests get 503 \(and 1 more problem\)\.$/), evidence: evidenceWith("Service shop/web-v2: not found", "Service web spec.ports: 80/TCP") }],
  },
  {
    name: "a TLS Secret that does not exist, Secrets of the namespace in the input",
    objects: [ingress("shop", { tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }] }), web, secret("db-password")],
    want: [
      {
        severity: "medium",
        confidence: 0.85,
        summary: "Ingress shop names TLS Secret shop-tls for shop.example.com, which does not exist: the controller serves its default certificate, which clients reject.",
        evidence: evidenceWith("spec.tls[shop.example.com].secretName: shop-tls", "Secret shop/shop-tls: not found among the 1 Secret(s) of shop"),
        remediation: { action: "secret", tier: "critical" },
      },
    ],
  },
  { name: "a TLS Secret that exists: none", objects: [ingress("shop", { tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }] }), web, secret("shop-tls")], want: [] },
  { name: "a TLS Secret, but no Secret in the input (live diagnosis): cannot judge", objects: [ingress("shop", { tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }] }), web], want: [] },
  { name: "TLS without secretName (the controller's default certificate): none", objects: [ingress("shop", { tls: [{ hosts: ["shop.example.com"] }] }), web, secret("db-password")], want: [] },
  {
    name: "several problems: one finding, the most severe first",
    objects: [ingress("shop", { paths: { "/": { service: "cart", port: 80 } }, tls: [{ secretName: "shop-tls" }] }), web, secret("db-password")],
    want: [{ severity: "high", summary: expect.stringMatching(/to Service cart, which does not exist: requests get 503 \(and 1 more problem\)\.$/), evidence: evidenceWith("Service shop/cart: not found", "secretName: shop-tls") }],
  },
  {
    name: "no class, and no IngressClass is the default",
    objects: [ingress("shop", { className: undefined, address: "" }), web, nginx, ingressClass("traefik")],
    want: [
      {
        severity: "high",
        confidence: 0.85,
        summary: "Ingress shop names no IngressClass and no IngressClass is the default: no controller is bound to serve it.",
        evidence: evidenceWith("spec.ingressClassName: unset, no kubernetes.io/ingress.class annotation", "IngressClasses: nginx, traefik; none annotated ingressclass.kubernetes.io/is-default-class=true", "status.loadBalancer.ingress: empty"),
        remediation: { summary: "Set spec.ingressClassName of Ingress shop to nginx (kubectl get ingressclass)." },
      },
    ],
  },
  { name: "no class and no IngressClass in the input: less sure", objects: [ingress("shop", { className: undefined, address: "" }), web], want: [{ confidence: 0.6, evidence: evidenceWith("no IngressClass in the input") }] },
  { name: "no class, a default IngressClass: none", objects: [ingress("shop", { className: undefined, address: "" }), web, ingressClass("nginx", { isDefault: true })], want: [] },
  { name: "no class, but a controller published an address: none", objects: [ingress("shop", { className: undefined }), web, nginx], want: [] },
  {
    name: "a class that does not exist",
    objects: [ingress("shop", { className: "ngnix" }), web, nginx],
    want: [{ confidence: 0.9, summary: "Ingress shop uses IngressClass ngnix, which does not exist (did you mean nginx?): no controller serves it.", evidence: evidenceWith("spec.ingressClassName: ngnix", "IngressClasses: nginx") }],
  },
  {
    name: "an unknown class named by the old annotation, no address: less sure",
    objects: [ingress("shop", { className: undefined, annotations: { "kubernetes.io/ingress.class": "haproxy" }, address: "" }), web, nginx],
    want: [{ confidence: 0.7, evidence: evidenceWith("annotation kubernetes.io/ingress.class: haproxy") }],
  },
  { name: "a class, but no IngressClass in the input: cannot judge", objects: [ingress("shop", { className: "ngnix" }), web], want: [] },
  { name: "GKE's built-in class gce needs no IngressClass: none", objects: [ingress("shop", { className: undefined, annotations: { "kubernetes.io/ingress.class": "gce" }, address: "" }), web, nginx], want: [] },
  { name: "a correct Ingress: none", objects: [ingress("shop", { tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }] }), web, nginx, secret("shop-tls")], want: [] },
]);
