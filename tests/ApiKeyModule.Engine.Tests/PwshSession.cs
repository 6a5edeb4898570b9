using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// A pwsh process of its own with the built module (out/ApiKeyModule) imported, that runs scripts one at a time, as an
    /// operator's session beside a running service would: started once per test class, since starting pwsh takes a
    /// second or more. Each script's output comes back as JSON; a script that fails throws here with its error.
    /// </summary>
    public sealed class PwshSession : IDisposable
    {
        private const string Ok = "@@OK ";
        private const string Failed = "@@ERROR ";
        // A safety net against a hung child only, not a timing assertion.
        private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
        private readonly Process process;
        private readonly BlockingCollection<string> lines = new BlockingCollection<string>();
        private readonly StringBuilder errors = new StringBuilder();
        private readonly object gate = new object();

        public PwshSession()
        {
            string root = RepositoryRoot();
            ModulePath = Path.Combine(root, "out", "ApiKeyModule", "ApiKeyModule.psd1");
            if (!File.Exists(ModulePath))
            {
                throw new InvalidOperationException($"The built module is not at {ModulePath}: run `dotnet pwsh -NoProfile -File build.ps1 -Task Build` first.");
            }
            // Reads a base64 script per line, runs it, and answers on one line. Warnings and the like may come between.
            string driver = $@"
$ErrorActionPreference = 'Stop'
Import-Module '{ModulePath.Replace("'", "''")}'
[Console]::Out.WriteLine('{Ok}ready')
while ($null -ne ($line = [Console]::In.ReadLine())) {{
    try {{
        $script = [scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($line)))
        $result = & $script
        [Console]::Out.WriteLine('{Ok}' + (ConvertTo-Json -InputObject $result -Compress -Depth 4))
    }}
    catch {{
        [Console]::Out.WriteLine('{Failed}' + ((($_ | Out-String) -replace '\s+', ' ').Trim()))
    }}
}}";
            // The PowerShell of the repository's tool manifest, as the README runs it.
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = root,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
            };
            foreach (string argument in new[] { "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-EncodedCommand",
                Convert.ToBase64String(Encoding.Unicode.GetBytes(driver)) })
            {
                start.ArgumentList.Add(argument);
            }
            process = Process.Start(start);
            process.StandardInput.AutoFlush = true;
            var reader = new Thread(() =>
            {
                string line;
                while ((line = process.StandardOutput.ReadLine()) != null)
                {
                    lines.Add(line);
                }
                lines.CompleteAdding();
            }) { IsBackground = true };
            reader.Start();
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (errors) errors.AppendLine(e.Data); };
            process.BeginErrorReadLine();
            Answer();
        }

        public string ModulePath { get; }

        /// <summary>Runs <paramref name="script"/> in the session; its output as JSON (an array when it wrote many objects).</summary>
        public JsonElement Run(string script)
        {
            lock (gate)
            {
                process.StandardInput.WriteLine(Convert.ToBase64String(Encoding.UTF8.GetBytes(script)));
                return JsonDocument.Parse(Answer()).RootElement.Clone();
            }
        }

        /// <summary>A string as a single-quoted PowerShell literal.</summary>
        public static string Quote(string text) => "'" + text.Replace("'", "''") + "'";

        private string Answer()
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                TimeSpan left = Patience - watch.Elapsed;
                if (left <= TimeSpan.Zero || !lines.TryTake(out string line, left))
                {
                    string why = lines.IsAddingCompleted ? "pwsh exited" : $"pwsh did not answer within {Patience.TotalMinutes} minutes";
                    lock (errors)
                    {
                        throw new InvalidOperationException($"{why}. Its errors: {errors}");
                    }
                }
                if (line.StartsWith(Ok, StringComparison.Ordinal))
                {
                    return line.Substring(Ok.Length);
                }
                if (line.StartsWith(Failed, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("The script failed in pwsh: " + line.Substring(Failed.Length));
                }
            }
        }

        /// <summary>The folder of ApiKeys.sln, above the test's binaries.</summary>
        internal static string RepositoryRoot()
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "ApiKeys.sln")))
                {
                    return folder.FullName;
                }
            }
            throw new InvalidOperationException("ApiKeys.sln was not found above " + AppContext.BaseDirectory);
        }

        public void Dispose()
        {
            try
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(30_000))
                {
                    process.Kill(true);
                }
            }
            finally
            {
                process.Dispose();
            }
        }
    }
}
