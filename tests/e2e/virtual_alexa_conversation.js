// An independent Alexa client for the served skill: Bespoken's virtual-alexa builds requests
// from our interaction model and POSTs them over HTTP. Prints one JSON line per turn.
// Usage: node virtual_alexa_conversation.js <skill URL> <interaction model> <skill id>
const va = require("virtual-alexa");

async function main() {
  const [url, model, skillId] = process.argv.slice(2);
  const alexa = va.VirtualAlexa.Builder()
    .skillURL(url)
    .interactionModelFile(model)
    .applicationID(skillId)
    .locale("en-US")
    .create();
  const turns = [];
  const record = (said, reply) => {
    const response = (reply && reply.response) || {};
    turns.push({
      said,
      ssml: response.outputSpeech ? response.outputSpeech.ssml : null,
      shouldEndSession: response.shouldEndSession,
    });
  };
  record("open cramp coach", await alexa.launch());
  record("why do my calves cramp at night", await alexa.utter("why do my calves cramp at night"));
  record("my calf is cramping", await alexa.utter("my calf is cramping"));
  record("open cramp coach", await alexa.launch());
  record("stop", await alexa.utter("stop"));
  for (const turn of turns) console.log(JSON.stringify(turn));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
