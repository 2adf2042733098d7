# workerd lane: `workerd test test/workerd/tests.capnp` runs every export of smoke.worker.js that has a
# test() handler and prints one [ PASS ] or [ FAIL ] line each. No socket is opened.
# modules.capnp is generated (scripts/gen-workerd-modules.mjs) because dist's file list changes.
using Workerd = import "/workerd/workerd.capnp";
using Dist = import "modules.capnp";

const config :Workerd.Config = (
  services = [ (name = "smoke", worker = .smoke) ],
);

const smoke :Workerd.Worker = (
  modules = Dist.modules,
  compatibilityDate = "2026-01-01",
);
