// A real ActivityPub server on loopback, built with Fedify (not written here), for
// tests/it/fediverse.rs. It has one actor, `alice`, and prints one JSON line per event on
// stdout; it takes one JSON command per line on stdin:
//   {"cmd":"follow","actor":URL}                   follows that actor (looked up by Fedify)
//   {"cmd":"reply","actor":URL,"inReplyTo":URL,"text":"…"}   sends a reply to the actor's inbox
//   {"cmd":"edit","actor":URL,"id":URL,"inReplyTo":URL,"text":"…"}   sends an Update of that reply
//   {"cmd":"lookup","url":URL}                     looks up an object and prints its type and name
// Events: {"ready":BASE}, {"sent":…}, {"received":TYPE,…}, {"found":…}, {"error":…}.
// Signatures of what it receives are verified by Fedify against the sender's published key.
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import {
  Accept, Create, Delete, Endpoints, Follow, Note, Person, Update,
  createFederation, generateCryptoKeyPair, MemoryKvStore, PUBLIC_COLLECTION,
} from "@fedify/fedify";

const out = (event) => process.stdout.write(JSON.stringify(event) + "\n");

// Alice's note `id` answering `command.inReplyTo` with `command.text`.
const reply = (ctx, id, command) => new Note({
  id,
  attribution: ctx.getActorUri("alice"),
  to: PUBLIC_COLLECTION,
  replyTarget: new URL(command.inReplyTo),
  content: `<p>${command.text}</p>`,
});

const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });
const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "alice") return null;
    const [key] = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Alice Fedify",
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: key.cryptographicKey,
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === "alice" ? [keys] : []));

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, async (_ctx, accept) => {
    const object = await accept.getObject();
    out({ received: "Accept", object: object?.constructor?.name ?? null });
  })
  .on(Create, async (_ctx, create) => {
    const object = await create.getObject();
    out({ received: "Create", type: object?.constructor?.name, name: object?.name?.toString() ?? null, id: object?.id?.href });
  })
  .on(Update, async (_ctx, update) => {
    const object = await update.getObject();
    out({ received: "Update", type: object?.constructor?.name, name: object?.name?.toString() ?? null });
  })
  .on(Delete, async (_ctx, del) => {
    out({ received: "Delete", id: del.objectId?.href ?? null });
  })
  .onError((_ctx, error) => out({ error: `inbox: ${error}` }));

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const url = `http://${req.headers.host}${req.url}`;
  const request = new Request(url, {
    method: req.method,
    headers: req.headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
  const response = await federation.fetch(request, { contextData: undefined });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
server.listen(0, "127.0.0.1", () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  globalThis.base = base;
  out({ ready: base });
});

const context = () => federation.createContext(new URL(globalThis.base), undefined);

for await (const line of createInterface({ input: process.stdin })) {
  let command;
  try {
    command = JSON.parse(line);
    const ctx = context();
    if (command.cmd === "lookup") {
      const found = await ctx.lookupObject(command.url);
      out({ found: found?.constructor?.name ?? null, name: found?.name?.toString() ?? null, id: found?.id?.href ?? null });
    } else if (command.cmd === "follow") {
      const actor = await ctx.lookupObject(command.actor);
      if (!actor?.inboxId) throw new Error(`no actor at ${command.actor}`);
      await ctx.sendActivity({ identifier: "alice" }, actor, new Follow({
        id: new URL(`${globalThis.base}/follows/${Date.now()}`),
        actor: ctx.getActorUri("alice"),
        object: actor.id,
      }));
      out({ sent: "follow" });
    } else if (command.cmd === "reply") {
      const actor = await ctx.lookupObject(command.actor);
      const id = new URL(`${globalThis.base}/notes/${Date.now()}`);
      await ctx.sendActivity({ identifier: "alice" }, actor, new Create({
        id: new URL(`${id.href}/activity`),
        actor: ctx.getActorUri("alice"),
        to: PUBLIC_COLLECTION,
        object: reply(ctx, id, command),
      }));
      out({ sent: "reply", id: id.href });
    } else if (command.cmd === "edit") {
      const actor = await ctx.lookupObject(command.actor);
      const id = new URL(command.id);
      await ctx.sendActivity({ identifier: "alice" }, actor, new Update({
        id: new URL(`${id.href}/edits/${Date.now()}`),
        actor: ctx.getActorUri("alice"),
        to: PUBLIC_COLLECTION,
        object: reply(ctx, id, command),
      }));
      out({ sent: "edit", id: id.href });
    } else {
      out({ error: `unknown command ${line}` });
    }
  } catch (error) {
    out({ error: `${command?.cmd ?? "?"}: ${error?.stack ?? error}` });
  }
}
server.close();
