# Runs the example Worker with the workerd binary on 127.0.0.1:8787 (CI overrides the address with
# --socket-addr http=127.0.0.1:PORT). modules.capnp lists the worker and every module it reaches; it is
# generated: node scripts/gen-workerd-modules.mjs examples/cloudflare-worker/worker.js
#   npx workerd serve examples/cloudflare-worker/config.capnp
using Workerd = import "/workerd/workerd.capnp";
using Worker = import "modules.capnp";

const config :Workerd.Config = (
  services = [ (name = "predict", worker = .predict) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "predict") ],
);

const predict :Workerd.Worker = (
  modules = Worker.modules,
  compatibilityDate = "2026-01-01",
);
