using System;
using System.Collections.Generic;
using static Harness;

// The C# side of `build.ps1 -Task Bench` (tests/Benchmarks/Invoke-Benchmarks.ps1 drives it). Each command prints one
// JSON object on its last line. Not a test: nothing here fails on a figure. Each figure is in a file of its own; what
// they share is in Harness.cs, SqliteHarness.cs, PostgresHarness.cs and KnownKeys.cs.
//
//   info                                   SQLite version
//   spawn <rounds> <file>                  P1: runs each command line of the JSON file <rounds> times, round-robin;
//                                          wall time and (Linux, macOS) CPU time of each run (SpawnBench.cs)
//   floor-create <dir> <n>                 P2 floor (raw per-row commit) and its variants, plus the engine alone
//                                          (CreateBench.cs)
//   populate <path> <n>                    bulk-inserts n valid keys (ids 1..n, names k1..kn) in one transaction
//                                          (KnownKeys.cs)
//   keys <path> <offset> <n> <file>        writes n distinct keys "<id>-<secret>" of a populated store to a file
//                                          (KnownKeys.cs)
//   enumerate <path>                       P3 parts: raw SQLite read, engine List() (EnumerateBench.cs)
//   verify <path> <offset> <n> <pbkdf2>    P4: engine verifications/s (cold and warm), its parts, and the PBKDF2 floor
//                                          (VerifyBench.cs)
//   grace <dir> <n> <rounds>               P4 part: warm verification of a plain key, and of the new and previous key of a
//                                          key reset with a grace period (GraceBench.cs)
//   verifier <path> <offset> <n> <rounds> <flood>
//                                          V1-V4: cache misses on 1 and 2 threads, first use against a bare SELECT,
//                                          genuine verifications under a flood of invalid keys (VerifierBench.cs)
//   lookup <path> <n>                      P5 parts: Get(id) on an open store; Open + Get + Dispose per lookup
//                                          (LookupBench.cs)
//   explain <path>                         P5 part: query plans of the module's lookups (LookupBench.cs)
//   pg-floor-create <n>                    PG1 floor (raw Npgsql, a transaction per key) and the engine alone
//                                          (PostgresCreateBench.cs)
//   pg-verify <keys> <hits> <rounds>       PG2, PG3: verifier cache hits and misses; raw prepared SELECT floor
//                                          (PostgresVerifyBench.cs)
//   pg-propagation <samples>               PG4: revocation seen by a running verifier; raw LISTEN/NOTIFY floor
//   pg-revoker <schema>                    PG4's other process: revokes each id read from its input
//                                          (both in PostgresPropagationBench.cs)
//   pg-verifier <n> <rounds> <flood>       PGV1-PGV4: as verifier, on PostgreSQL (PostgresVerifierBench.cs)
//                                          (pg-* on the server named by APIKEYMODULE_BENCH_POSTGRES)
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: info | floor-create <dir> <n> | populate <path> <n> | keys <path> <offset> <n> <file> | verify <path> <offset> <n> <pbkdf2-count> | enumerate <path> | explain <path>");
            return 2;
        }
        SqliteHarness.EnsureLoaded();
        var result = new Dictionary<string, object>();
        switch (args[0])
        {
            case "info":
                result["sqlite"] = SqliteHarness.Version();
                break;
            case "floor-create":
                CreateBench.FloorCreate(args[1], Int(args[2]), result);
                break;
            case "populate":
                KnownKeys.Populate(args[1], Int(args[2]), result);
                break;
            case "keys":
                KnownKeys.Write(args[1], Int(args[2]), Int(args[3]), args[4], result);
                break;
            case "verify":
                VerifyBench.Verify(args[1], Int(args[2]), Int(args[3]), Int(args[4]), result);
                break;
            case "verifier":
                VerifierBench.Sqlite(args[1], Int(args[2]), Int(args[3]), Int(args[4]), Int(args[5]), result);
                break;
            case "lookup":
                LookupBench.Lookup(args[1], Int(args[2]), result);
                break;
            case "enumerate":
                EnumerateBench.Enumerate(args[1], result);
                break;
            case "spawn":
                SpawnBench.Spawn(Int(args[1]), args[2], result);
                break;
            case "explain":
                LookupBench.Explain(args[1], result);
                break;
            case "grace":
                GraceBench.Verify(args[1], Int(args[2]), Int(args[3]), result);
                break;
            case "pg-floor-create":
                PostgresCreateBench.FloorCreate(Int(args[1]), result);
                break;
            case "pg-verify":
                PostgresVerifyBench.Verify(Int(args[1]), Int(args[2]), Int(args[3]), result);
                break;
            case "pg-verifier":
                PostgresVerifierBench.Verifier(Int(args[1]), Int(args[2]), Int(args[3]), result);
                break;
            case "pg-revoker":
                PostgresPropagationBench.Revoker(args[1]);
                return 0;
            case "pg-propagation":
                PostgresPropagationBench.Propagation(Int(args[1]), result);
                break;
            default:
                Console.Error.WriteLine("unknown command " + args[0]);
                return 2;
        }
        Print(result);
        return 0;
    }
}
