#!/usr/bin/env python3
"""didcomm_askar.py: DIDComm v1 envelopes made and read by the real
implementation, ACA-Py's askar/didcomm/v1.py over aries_askar (the code the
mediator itself runs), for medload's interoperability tests. It derives
medload's edge agent keys on its own (BLAKE2b, then an Ed25519 key from the
seed), so a derivation that drifted fails here too.

Run it with a release's virtual environment, which has ACA-Py and
aries_askar (tests/integration/5x-edge-envelopes.sh does):

  PY=~/.cache/medload/venvs/seed/bin/python
  $PY didcomm_askar.py make DIR   writes DIR/askar.cases and, per case,
                                  DIR/askar-NAME.env (the envelope) and
                                  DIR/askar-NAME.txt (its plaintext)
  $PY didcomm_askar.py check DIR  unpacks the envelopes DIR/medload.cases
                                  lists (medload packed them) and checks
                                  recipient, sender and plaintext
  $PY didcomm_askar.py keys RUN_ID SEED N   prints agents 1..N's verkeys

A cases file has one line a case: NAME RECIPIENT SENDER ROUTER, where
RECIPIENT and SENDER are agent indexes (SENDER "-": Anoncrypt) and ROUTER
is "-" or the index whose recipient key the forward is packed for. Keys:
run id "interop", seed 7; agent I's connection key for a recipient or
sender, its recipient key for a router.
"""
import asyncio
import hashlib
import json
import os
import sys

from aries_askar import Key, KeyAlg, Store

try:
    from aries_cloudagent.askar.didcomm import v1
    from aries_cloudagent.protocols.routing.v1_0.messages.forward import Forward
    from aries_cloudagent.wallet.util import bytes_to_b58
except ImportError:  # ACA-Py 1.1 and later
    from acapy_agent.askar.didcomm import v1
    from acapy_agent.protocols.routing.v1_0.messages.forward import Forward
    from acapy_agent.wallet.util import bytes_to_b58

RUN_ID = "interop"
SEED = 7
CONNECTION, RECIPIENT = 0, 1


def run_key(run_id, seed):
    """The run key: BLAKE2b-256 of a tag, the seed and the run id."""
    return hashlib.blake2b(
        b"medload-edge/1\0" + seed.to_bytes(8, "little") + run_id.encode(),
        digest_size=32,
    ).digest()


def agent_key(rk, index, purpose=CONNECTION):
    """Agent index's Ed25519 key, as medload derives it."""
    msg = b"key\0\0" + index.to_bytes(4, "little") + purpose.to_bytes(4, "little")
    seed = hashlib.blake2b(msg, digest_size=32, key=rk).digest()
    return Key.from_secret_bytes(KeyAlg.ED25519, seed)


def verkey(key):
    """The base58 verkey of a key."""
    return bytes_to_b58(key.get_public_bytes())


def message(name):
    """The plaintext of case name: a trust ping with a non-ASCII comment."""
    return json.dumps(
        {
            "@type": "https://didcomm.org/trust_ping/1.0/ping",
            "@id": "askar-" + name,
            "response_requested": True,
            "comment": "made by askar for %s: caf\u00e9" % name,
        }
    )


def pack(rk, name, recips, sender, router):
    """Packs case name as ACA-Py does (forward: transport/pack_format.py)."""
    keys = [agent_key(rk, r) for r in recips]
    frm = agent_key(rk, sender) if sender is not None else None
    env = v1.pack_message([verkey(k) for k in keys], frm, message(name).encode())
    if router is not None:
        fwd = Forward(to=verkey(keys[0]), msg=json.loads(env.decode()))
        rkey = agent_key(rk, router, RECIPIENT)
        env = v1.pack_message([verkey(rkey)], None, fwd.to_json().encode())
    return env


def make(d):
    """Writes askar's envelopes and the cases file into d."""
    rk = run_key(RUN_ID, SEED)
    cases = [
        ("authcrypt", [1], 2, None),
        ("anoncrypt", [1], None, None),
        ("second-recipient", [3, 1], 2, None),
        ("forward", [1], 2, 4),
    ]
    with open(os.path.join(d, "askar.cases"), "w") as f:
        for name, recips, sender, router in cases:
            env = pack(rk, name, recips, sender, router)
            with open(os.path.join(d, "askar-%s.env" % name), "wb") as e:
                e.write(env)
            with open(os.path.join(d, "askar-%s.txt" % name), "w") as t:
                t.write(message(name))
            f.write(
                "%s %d %s %s\n"
                % (
                    name,
                    recips[-1],
                    "-" if sender is None else sender,
                    "-" if router is None else router,
                )
            )
    print("made %d envelopes in %s" % (len(cases), d))


async def unpack(key, env):
    """Unpacks env for key with ACA-Py's unpack over an askar store."""
    store = await Store.provision(
        "sqlite://:memory:", "raw", Store.generate_raw_key(), recreate=True
    )
    try:
        async with store.session() as session:
            await session.insert_key(verkey(key), key)
            return await v1.unpack_message(session, env)
    finally:
        await store.close()


async def check_case(d, rk, line):
    """Checks one case of medload.cases; returns an error text or None."""
    name, recip, sender, router = line.split()
    with open(os.path.join(d, "medload-%s.env" % name), "rb") as f:
        env = f.read()
    with open(os.path.join(d, "medload-%s.txt" % name), "rb") as f:
        want = f.read()
    if router != "-":
        rkey = agent_key(rk, int(router), RECIPIENT)
        outer, to, frm = await unpack(rkey, env)
        fwd = json.loads(outer)
        if fwd.get("@type") != "https://didcomm.org/routing/1.0/forward":
            return "%s: outer message is %r, not a forward" % (name, fwd.get("@type"))
        rvk = verkey(agent_key(rk, int(recip)))
        if fwd.get("to") != rvk or frm is not None:
            return "%s: forward to %r (want %s), sender %r" % (name, fwd.get("to"), rvk, frm)
        env = json.dumps(fwd["msg"]).encode()
    got, to, frm = await unpack(agent_key(rk, int(recip)), env)
    want_from = None if sender == "-" else verkey(agent_key(rk, int(sender)))
    if got != want:
        return "%s: plaintext %r, want %r" % (name, got[:80], want[:80])
    if frm != want_from or to != verkey(agent_key(rk, int(recip))):
        return "%s: sender %r (want %r), recipient %r" % (name, frm, want_from, to)
    return None


async def check(d):
    """Checks every case medload wrote; exits 1 on the first failure."""
    rk = run_key(RUN_ID, SEED)
    with open(os.path.join(d, "medload.cases")) as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip()]
    if not lines:
        sys.exit("check: %s/medload.cases lists no case" % d)
    for line in lines:
        try:
            err = await check_case(d, rk, line)
        except Exception as e:  # askar's refusal is the finding
            err = "%s: askar refused it: %s" % (line.split()[0], e)
        if err:
            sys.exit("check: " + err)
    print("askar unpacked %d envelopes packed by medload" % len(lines))


def main():
    """Dispatches the subcommand."""
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        asyncio.run(check(sys.argv[2]))
    elif len(sys.argv) == 5 and sys.argv[1] == "keys":
        rk = run_key(sys.argv[2], int(sys.argv[3]))
        for i in range(1, int(sys.argv[4]) + 1):
            print(i, verkey(agent_key(rk, i)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
