// Builds tracker/public/map/us_states.json: one SVG path per US state (and DC), keyed by
// its ISO 3166-2 code, with a label position. Run once; the output is committed.
//
// Provenance: the geometry is the US Census Bureau's cartographic boundary file (2017,
// 1:10m), a work of the US federal government in the public domain, as redistributed
// in TopoJSON by the npm package us-atlas@3.0.1 (states-albers-10m.json, already
// projected with d3.geoAlbersUsa to a 975x610 viewport). topojson-client turns the
// topology into GeoJSON and d3-geo writes the SVG path data. No network at run time:
// the app serves the committed JSON.
//
// Usage (from the repository root, with node >= 18 and npm):
//   tmp=$(mktemp -d) && (cd "$tmp" && npm init -y >/dev/null && \
//     npm install us-atlas@3.0.1 topojson-client@3.1.0 d3-geo@3.1.2) && \
//   NODE_PATH="$tmp/node_modules" node scripts/build_map.mjs "$tmp/node_modules"
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const modules = path.resolve(process.argv[2] || "node_modules");
const require = createRequire(path.join(modules, "noop.js"));
const { feature } = require("topojson-client");
const { geoPath } = require("d3-geo");

const topology = JSON.parse(readFileSync(path.join(modules, "us-atlas/states-albers-10m.json")));

// State FIPS code -> postal abbreviation (the ISO 3166-2 subdivision part).
const FIPS = {
  "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
  "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
  "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
  "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
  "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
  "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
  "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
  "55": "WI", "56": "WY",
};

// States too small for a label inside them get one in the right margin, with a leader line.
// The viewport is widened by RIGHT_MARGIN so the column of callouts fits beside Maine.
const RIGHT_MARGIN = 75;
const CALLOUT_X = 985;
const CALLOUTS = Object.fromEntries(
  ["VT", "NH", "MA", "RI", "CT", "NJ", "DE", "MD", "DC"].map((abbr, i) => [abbr, [CALLOUT_X, 150 + 28 * i]]),
);
// Nudges where the centroid falls badly (e.g. Florida's and Louisiana's shapes).
const NUDGE = { FL: [12, 5], LA: [-8, 0], MI: [10, 18], KY: [5, 2], HI: [0, 8] };

const path2d = geoPath().digits(1);
const states = {};
for (const f of feature(topology, topology.objects.states).features) {
  const abbr = FIPS[f.id];
  if (!abbr) continue; // territories are not drawn by the Albers USA projection
  const [cx, cy] = path2d.centroid(f);
  const [dx, dy] = NUDGE[abbr] || [0, 0];
  const entry = {
    name: f.properties.name,
    d: path2d(f),
    label: [Math.round(cx + dx), Math.round(cy + dy)],
  };
  if (CALLOUTS[abbr]) {
    entry.callout = CALLOUTS[abbr];
  }
  states[`US-${abbr}`] = entry;
}
const out = {
  provenance:
    "US Census Bureau cartographic boundary file 2017 (1:10m), public domain, via npm us-atlas@3.0.1 states-albers-10m.json (d3.geoAlbersUsa, 975x610); built by scripts/build_map.mjs",
  viewBox: [0, 0, 975 + RIGHT_MARGIN, 610],
  states,
};
const target = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../tracker/public/map/us_states.json");
writeFileSync(target, JSON.stringify(out, null, 0) + "\n");
console.log(`wrote ${Object.keys(states).length} states to ${target}`);
