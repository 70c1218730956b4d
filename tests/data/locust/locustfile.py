# A small Locust load on the local stack's multi-tenant agent, shaped like
# the seed's test (a wallet, connect to the mediator, list, ping), to
# record real Locust CSV files for medload's tests.
import base64, json, os, random, uuid
from locust import HttpUser, task, between, LoadTestShape

INV = os.environ["MEDIATOR_INVITATION_URL"].split("c_i=", 1)[1]
INV = json.loads(base64.urlsafe_b64decode(INV + "=" * (-len(INV) % 4)))


class Tenant(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        name = "locust-%s" % uuid.uuid4().hex[:8]
        r = self.client.post("/multitenancy/wallet", name="000_create_wallet",
                             json={"wallet_name": name, "wallet_key": uuid.uuid4().hex,
                                   "wallet_type": "askar", "label": name,
                                   "wallet_dispatch_type": "default",
                                   "key_management_mode": "managed"})
        self.h = {"Authorization": "Bearer " + r.json()["token"]}
        self.conn = None
        self.active = False

    @task
    def step(self):
        if self.conn is None:
            r = self.client.post("/connections/receive-invitation?alias=mediator&auto_accept=true",
                                 name="001_connect_to_mediator", json=INV, headers=self.h)
            self.conn = r.json()["connection_id"]
            return
        r = self.client.get("/connections", name="002_connections_list", headers=self.h)
        states = {c["connection_id"]: c["state"] for c in r.json()["results"]}
        self.active = states.get(self.conn) in ("active", "completed")
        if random.random() < 0.15:
            # the seed's test fetches connections it was told of; one that
            # never existed answers 404
            self.client.get("/connections/%s" % uuid.uuid4(), name="013_connection_fetch",
                            headers=self.h)
        if random.random() < 0.1:
            # a bug of the kind a locustfile has: a key the answer lacks
            _ = r.json()["connection"]
        if self.active:
            self.client.post("/connections/%s/send-ping" % self.conn, name="021_ping_mediator",
                             json={"comment": "load"}, headers=self.h)


class Steps(LoadTestShape):
    def tick(self):
        t = self.get_run_time()
        if t >= 24:
            return None
        return ((int(t // 8) + 1) * 2, 2)
