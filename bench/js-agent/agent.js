// bench/js-agent/agent.js: N Credo (ex Aries Framework JavaScript) agents in
// one Node process, each connected to a mediator, granted mediation and
// holding a WebSocket session to it (implicit pickup), as the seed
// repository's load-testing/load-agent/agent.js sets up one agent; then the
// process's RSS and CPU time, read from /proc/self/status and
// process.cpuUsage().
//
// usage: node agent.js AGENTS RATE HOLD_SECONDS INVITATION_URL [KDF]
//   AGENTS agents are started at RATE a second, at most SETUPS_AT_ONCE (8)
//   setting up at once (as medload's --connections 8 caps its requests at
//   the mediator; it also bounds the memory the wallets' key derivations
//   take together); once all are set up (or failed), the process holds
//   them HOLD_SECONDS
//   and prints one JSON line per phase on stdout: "loaded" (modules
//   required, no agent yet), "ready" (every agent set up, its session open
//   and one trust ping answered on it), "held" (after the hold), and with
//   node --expose-gc "gc" (after a full garbage collection: what the
//   agents hold alive, where RSS also counts garbage V8 has not collected).
// Wallets: askar SQLite files under $HOME/.afj (the run script points HOME
// at a temporary folder), random id and key with Credo's default key
// derivation (Argon2i moderate), as the seed's agent does; KDF "raw" gives
// each wallet a generated raw key instead, so no key derivation is paid.
'use strict'

const fs = require('fs')
const crypto = require('crypto')

const cpu0 = process.cpuUsage()

const core = require('@credo-ts/core')
const { agentDependencies } = require('@credo-ts/node')
const { AskarModule } = require('@credo-ts/askar')
const { ariesAskar } = require('@hyperledger/aries-askar-nodejs')

const SETUP_TIMEOUT_MS = 120000 // the seed's agent waits two minutes too
const SETUPS_AT_ONCE = 8

// Fields of /proc/self/status in KiB, and the CPU seconds so far.
function usage (phase, extra) {
  const st = fs.readFileSync('/proc/self/status', 'utf8')
  const kib = (name) => {
    const m = st.match(new RegExp('^' + name + ':\\s+(\\d+) kB', 'm'))
    return m ? Number(m[1]) : null
  }
  const c = process.cpuUsage(cpu0)
  return JSON.stringify(Object.assign({
    phase,
    rss_kib: kib('VmRSS'),
    rss_anon_kib: kib('RssAnon'),
    rss_file_kib: kib('RssFile'),
    hwm_kib: kib('VmHWM'),
    cpu_s: (c.user + c.system) / 1e6,
    threads: Number((st.match(/^Threads:\s+(\d+)/m) || [0, 0])[1])
  }, extra))
}

// Resolves with value after ms, or rejects with what on timeout.
function within (promise, ms, what) {
  let t
  const timeout = new Promise((resolve, reject) => {
    t = setTimeout(() => reject(new Error(what + ' timed out')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t))
}

// Resolves once test() is true (checked every 100 ms), rejects after ms.
function until (test, ms, what) {
  const end = Date.now() + ms
  if (test()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (test() || Date.now() > end) {
        clearInterval(t)
        if (test()) resolve()
        else reject(new Error(what + ' timed out'))
      }
    }, 100)
  })
}

// Waits for the first event of type whose payload passes test.
function once (agent, type, test) {
  return new Promise((resolve) => {
    const on = async (ev) => {
      if (await test(ev.payload)) {
        agent.events.off(type, on)
        resolve(ev.payload)
      }
    }
    agent.events.on(type, on)
  })
}

// One agent: initialised with the mediator's invitation (connection,
// mediation request and grant, then the WebSocket of implicit pickup),
// then one trust ping to the mediator answered on that session.
async function startAgent (invitationUrl, kdf, sessions) {
  const rnd = () => crypto.randomBytes(16).toString('hex')
  const walletConfig = { id: rnd(), key: rnd() }
  if (kdf === 'raw') {
    walletConfig.key = ariesAskar.storeGenerateRawKey({})
    walletConfig.keyDerivationMethod = core.KeyDerivationMethod.Raw
  }
  const agent = new core.Agent({
    config: { label: 'js-' + rnd(), walletConfig },
    dependencies: agentDependencies,
    modules: {
      askar: new AskarModule({ ariesAskar }),
      connections: new core.ConnectionsModule({ autoAcceptConnections: true }),
      mediationRecipient: new core.MediationRecipientModule({
        mediatorInvitationUrl: invitationUrl,
        mediatorPickupStrategy: core.MediatorPickupStrategy.Implicit
      })
    }
  })
  agent.registerOutboundTransport(new core.WsOutboundTransport())
  agent.registerOutboundTransport(new core.HttpOutboundTransport())
  // the connections with an open WebSocket (events may come before
  // the mediator's connection is known to be the default one)
  const open = new Set()
  agent.events.on(core.TransportEventTypes.OutboundWebSocketOpenedEvent,
    (ev) => open.add(ev.payload.connectionId))
  agent.events.on(core.TransportEventTypes.OutboundWebSocketClosedEvent,
    (ev) => open.delete(ev.payload.connectionId))
  sessions.push(open)
  await within(agent.initialize(), SETUP_TIMEOUT_MS, 'initialize')
  const m = await agent.mediationRecipient.findDefaultMediatorConnection()
  if (m === null) throw new Error('no mediator connection')
  await until(() => open.has(m.id), SETUP_TIMEOUT_MS, 'mediator session')
  const pong = once(agent, core.TrustPingEventTypes.TrustPingResponseReceivedEvent,
    async (p) => p.connectionRecord.id === m.id)
  await agent.connections.sendPing(m.id, {})
  await within(pong, SETUP_TIMEOUT_MS, 'trust ping')
  return agent
}

async function main () {
  const [n, rate, hold] = process.argv.slice(2, 5).map(Number)
  const url = process.argv[5]
  const kdf = process.argv[6] || 'argon2i-mod'
  if (!(n >= 1 && n <= 1000 && rate > 0 && hold >= 0 && hold <= 3600 && url &&
      (kdf === 'argon2i-mod' || kdf === 'raw'))) {
    process.stderr.write('usage: node agent.js AGENTS(1-1000) RATE HOLD_SECONDS(0-3600) INVITATION_URL [argon2i-mod|raw]\n')
    process.exit(2)
  }
  console.log(usage('loaded', { agents: 0 }))
  const sessions = [] // one Set of open connections per agent
  const errors = []
  const cpuStart = process.cpuUsage(cpu0)
  const t0 = Date.now()
  const started = []
  let busy = 0
  for (let i = 0; i < n; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / rate))
    await until(() => busy < SETUPS_AT_ONCE, SETUP_TIMEOUT_MS * n, 'a setup slot')
    busy++
    started.push(startAgent(url, kdf, sessions).catch((e) => {
      errors.push(String(e && e.message ? e.message : e).slice(0, 200))
      return null
    }).finally(() => busy--))
  }
  const agents = (await Promise.all(started)).filter((a) => a !== null)
  const c = process.cpuUsage(cpu0)
  console.log(usage('ready', {
    kdf,
    agents: agents.length,
    failed: errors.length,
    errors: errors.slice(0, 3),
    setup_wall_s: (Date.now() - t0) / 1000,
    setup_cpu_s: (c.user + c.system - cpuStart.user - cpuStart.system) / 1e6,
    sessions_open: sessions.reduce((k, o) => k + o.size, 0)
  }))
  await new Promise((resolve) => setTimeout(resolve, hold * 1000))
  console.log(usage('held', {
    agents: agents.length,
    hold_s: hold,
    sessions_open: sessions.reduce((k, o) => k + o.size, 0)
  }))
  if (typeof global.gc === 'function') {
    global.gc()
    await new Promise((resolve) => setTimeout(resolve, 1000))
    console.log(usage('gc', {
      agents: agents.length,
      heap_used_kib: Math.round(process.memoryUsage().heapUsed / 1024),
      sessions_open: sessions.reduce((k, o) => k + o.size, 0)
    }))
  }
  await Promise.all(agents.map((a) => a.shutdown().catch(() => null)))
  process.exit(errors.length === 0 ? 0 : 1)
}

main().catch((e) => {
  process.stderr.write('agent.js: ' + (e && e.stack ? e.stack : e) + '\n')
  process.exit(1)
})
