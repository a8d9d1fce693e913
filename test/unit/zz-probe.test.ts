import { it } from "vitest";
import { parseMemory, parseCpus } from "../../src/config/units.js";
it("x", () => {
  for (const v of ["512m","512M","512mb","512MB","1g","1.5g","0.5k","1b","0","0.1","1 g","1kb","1bb","-1","1e3","","m","1.","  64m  ","1t","0.0001k", "1.5"]) console.log("MEM", JSON.stringify(v), parseMemory(v));
  for (const v of [0, 1, 1.5, -1, 1024, NaN]) console.log("MEMN", v, parseMemory(v));
  for (const v of ["1","1.5","0.5","0","-1","abc","1e2","",".5","1.","  2  ", "0.0000000001", "0.000000001"]) console.log("CPU", JSON.stringify(v), parseCpus(v));
  for (const v of [1, 0.5, 0, -1, NaN, Infinity, 1e-10]) console.log("CPUN", v, parseCpus(v));
});
