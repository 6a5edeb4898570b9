<#
.SYNOPSIS
    Runs benchmarks P1-P5, PG1-PG4 (PostgreSQL), V1-V4, PGV1-PGV4 (the verifier under concurrency and attack) and H1-H2 (the sample service over HTTP) of the built module, each against a floor measured in the same run, prints the
    table and writes it with the machine's facts to tests/Benchmarks/results.md.
.DESCRIPTION
    Called by `build.ps1 -Task Bench` after the build. Benchmarks, not tests: nothing fails on a figure, and CI does not
    run them. Stores are made in a temporary folder (the 1M-key store takes about 130 MB) and deleted afterwards.
    PG1-PG4 and PGV1-PGV4 run on the PostgreSQL server named by $env:APIKEYMODULE_BENCH_POSTGRES (build.ps1 starts a throwaway one);
    without it they are left out. H1-H2 load the sample service (tests/ApiKeyService) with wrk; without wrk they are left out.
    -Quick runs every figure at a tenth of its size (to try the script out; its figures are not the issue's).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # The pwsh to start child sessions with (the one running build.ps1): e.g. 'dotnet', '<PSHOME>/pwsh.dll'.
    [Parameter(Mandatory)] [string[]] $Pwsh,
    [string] $Configuration = 'Release',
    [string] $ResultPath = (Join-Path $PSScriptRoot 'results.md'),
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$runStart = [Diagnostics.Stopwatch]::StartNew()

$sizes = if ($Quick) {
    @{ P1Rounds = 3; P2 = 500; P3 = 10000; P4 = 1000; P5Big = 100000; P5Lookups = 200; P3Rounds = 3
        PG1 = 200; PGKeys = 500; PGHits = 10000; PGRounds = 2; PGSamples = 50
        V = 1000; VRounds = 3; Flood = 100000; PGV = 500; PGVRounds = 2; PGFlood = 100000
        HSeconds = 2; HRounds = 2; HConnections = 32 }
}
else {
    @{ P1Rounds = 13; P2 = 5000; P3 = 100000; P4 = 10000; P5Big = 1000000; P5Lookups = 1000; P3Rounds = 5
        PG1 = 2000; PGKeys = 2000; PGHits = 100000; PGRounds = 3; PGSamples = 100
        V = 10000; VRounds = 5; Flood = 1000000; PGV = 2000; PGVRounds = 3; PGFlood = 1000000
        HSeconds = 5; HRounds = 5; HConnections = 32 }
}

function Write-Step([string] $text) {
    Write-Host ("[{0,6:0.0}s] {1}" -f $runStart.Elapsed.TotalSeconds, $text)
}

function Get-Median([double[]] $values) {
    $sorted = [double[]]($values | Sort-Object)
    $middle = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$middle] }
    return ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

# ---- the C# side

$benchProject = Join-Path $PSScriptRoot 'ApiKeyModule.Benchmarks/ApiKeyModule.Benchmarks.csproj'
$benchOut = Join-Path $PSScriptRoot "ApiKeyModule.Benchmarks/bin/$Configuration/net10.0"
Write-Step "Building $benchProject ($Configuration)"
dotnet build $benchProject -c $Configuration --nologo -v quiet | Out-Host
if ($LASTEXITCODE -ne 0) { throw "dotnet build of the benchmark project failed (exit code $LASTEXITCODE)." }
$benchDll = Join-Path $benchOut 'ApiKeyModule.Benchmarks.dll'

function Invoke-CSharp([string[]] $arguments) {
    $output = & dotnet $benchDll @arguments
    if ($LASTEXITCODE -ne 0) { throw "ApiKeyModule.Benchmarks $($arguments -join ' ') failed (exit code $LASTEXITCODE)." }
    return (@($output) | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
}

# ---- child pwsh sessions (the pwsh running this script)

$pwshFile = $Pwsh[0]
$pwshPrefix = @($Pwsh | Select-Object -Skip 1)
$worker = Join-Path $PSScriptRoot 'ModuleBench.ps1'

function Invoke-Worker([hashtable] $parameters) {
    $arguments = $pwshPrefix + @('-NoProfile', '-NonInteractive', '-File', $worker)
    foreach ($name in $parameters.Keys) { $arguments += @("-$name", [string]$parameters[$name]) }
    $output = & $pwshFile @arguments
    if ($LASTEXITCODE -ne 0) { throw "ModuleBench.ps1 -Figure $($parameters.Figure) failed (exit code $LASTEXITCODE): $($output -join "`n")" }
    return (@($output) | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
}

# ---- machine facts

# Whether an assembly carries ReadyToRun native code; without it, every first use of its code is JIT-compiled (P1).
function Get-ReadyToRun([string] $path) {
    $stream = [IO.File]::OpenRead($path)
    try {
        $reader = [Reflection.PortableExecutable.PEReader]::new($stream)
        $native = $reader.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0
        "$(if ($native) { 'yes' } else { 'no: IL only, compiled as it runs' }) ($(Split-Path $path -Leaf))"
    }
    finally { $stream.Dispose() }
}

function Get-MachineFacts {
    $cpu = $null; $memory = $null; $os = [Runtime.InteropServices.RuntimeInformation]::OSDescription
    if (Test-Path /proc/cpuinfo) {
        $cpu = (Select-String -Path /proc/cpuinfo -Pattern '^model name\s*:\s*(.+)$' | Select-Object -First 1).Matches[0].Groups[1].Value
    }
    elseif ($IsWindows) { $cpu = (Get-CimInstance Win32_Processor | Select-Object -First 1).Name }
    elseif ($IsMacOS) { $cpu = (sysctl -n machdep.cpu.brand_string) }
    if (Test-Path /proc/meminfo) {
        $kb = [long]((Select-String -Path /proc/meminfo -Pattern '^MemTotal:\s+(\d+)').Matches[0].Groups[1].Value)
        $memory = '{0:0.0} GiB' -f ($kb / 1MB)
    }
    elseif ($IsWindows) { $memory = '{0:0.0} GiB' -f ((Get-CimInstance Win32_ComputerSystem).TotalPhysicalMemory / 1GB) }
    if (Test-Path /etc/os-release) {
        $pretty = (Select-String -Path /etc/os-release -Pattern '^PRETTY_NAME="?([^"]+)"?').Matches[0].Groups[1].Value
        $os = "$pretty ($os)"
    }
    [ordered]@{
        'Date (UTC)'   = (Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')
        'CPU'          = $cpu
        'Cores'        = [Environment]::ProcessorCount
        'Memory'       = $memory
        'OS'           = $os
        '.NET'         = "$([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription) (SDK $((dotnet --version) | Select-Object -First 1))"
        'PowerShell'   = "$($PSVersionTable.PSVersion) ($($Pwsh -join ' '))"
        'PowerShell precompiled (ReadyToRun)?' = Get-ReadyToRun (Join-Path $PSHOME 'System.Management.Automation.dll')
        'SQLite'       = $null
        'PostgreSQL'   = $null
        'Store folder' = $null
        'Load average (1 min) at start / end' = $null
    }
}

# ---- the run

$work = Join-Path ([IO.Path]::GetTempPath()) ("apikeymodule-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
# A snapshot of the built module: others may rebuild out/ while this runs.
$moduleCopy = Join-Path $work 'ApiKeyModule'
Copy-Item (Split-Path $ModulePath) $moduleCopy -Recurse
$psd1 = Join-Path $moduleCopy 'ApiKeyModule.psd1'

$facts = Get-MachineFacts
$facts['SQLite'] = (Invoke-CSharp @('info')).sqlite
$facts['Store folder'] = $work
function Get-Load { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0] } else { 'n/a' } }
$loadAtStart = Get-Load
$rows = [Collections.Generic.List[object]]::new()
$parts = [Collections.Generic.List[object]]::new()
$notes = [Collections.Generic.List[string]]::new()

function Add-Row($id, $figure, $measured, $floor, $ratio, $target, $met) {
    $rows.Add([pscustomobject]@{ Id = $id; Figure = $figure; Measured = $measured; Floor = $floor; Ratio = $ratio; Target = $target; Met = $met })
}
function Add-Part($id, $what, $value) {
    $parts.Add([pscustomobject]@{ Id = $id; Part = $what; Value = $value })
}
function Show-Ms([double] $seconds) { if ([math]::Abs($seconds) -lt 0.01) { '{0:0.00} ms' -f ($seconds * 1000) } else { '{0:0} ms' -f ($seconds * 1000) } }
function Show-Rate([double] $perSecond) { if ($perSecond -ge 100) { '{0:N0}/s' -f $perSecond } else { '{0:0.00}/s' -f $perSecond } }
function Show-Ratio([double] $ratio) { if ($ratio -ge 100) { '{0:N0}×' -f $ratio } else { '{0:0.00}×' -f $ratio } }
function Show-Met([bool] $met) { if ($met) { 'yes' } else { 'no' } }
function Show-Micro([double] $seconds) { '{0:0.0} µs' -f ($seconds * 1e6) }
function Show-MB([double] $bytes) { '{0:0.0} MB' -f ($bytes / 1MB) }
function Show-KB([double] $bytes) { '{0:N0} KB' -f ($bytes / 1KB) }

# The rows of the verifier's figures (VerifierBench.cs), on either store: V1-V4, PGV1-PGV4.
function Add-VerifierRows([string] $prefix, [string] $store, [string] $floorClient, [string] $placeholder, [string] $floorConnection, $r) {
    $label = if ($store -eq 'SQLite') { '' } else { "${store}: " }
    $rounds = $r.rounds
    Add-Row "${prefix}1" "${label}engine ``ApiKeyVerifier.Verify`` on two threads, cache misses (a new verifier, $($r.missKeys.ToString('N0')) keys used in the last minute, shared out: a SELECT per key, no write; median of $rounds)" `
        (Show-Rate $r.missTwoThreadsPerSecond) ("the same on one thread: " + (Show-Rate $r.missOneThreadPerSecond)) `
        (Show-Ratio ($r.missTwoThreadsPerSecond / $r.missOneThreadPerSecond)) '≥ 1.6 × one thread' (Show-Met ($r.missTwoThreadsPerSecond -ge 1.6 * $r.missOneThreadPerSecond))
    Add-Part "${prefix}1" 'two threads ÷ one thread, each round (interleaved)' (($r.missTwoOverOneEachRound | ForEach-Object { Show-Ratio $_ }) -join ' / ')
    Add-Part "${prefix}1" 'what the machine gave two threads meanwhile: plain computation on two threads ÷ one, each round (2× on two idle cores)' (($r.machineTwoOverOneEachRound | ForEach-Object { Show-Ratio $_ }) -join ' / ')
    Add-Part "${prefix}1" 'CPU time per verification, one thread / two threads (summed): equal means no contention between the threads, so two free cores give twice the rate' `
        ("{0} / {1}" -f (Show-Micro $r.missCpuSecondsEachOneThread), (Show-Micro $r.missCpuSecondsEachTwoThreads))
    Add-Row "${prefix}2" "${label}a key's first verification in a minute (a new verifier, $($r.firstUseKeys.ToString('N0')) never-used keys: a SELECT per key; its last-use write left to the verifier's background thread; median of $rounds)" `
        (Show-Rate $r.firstUsePerSecond) ("$floorClient prepared ``SELECT … WHERE id = $placeholder`` (the engine's), the same keys, ${floorConnection}: " + (Show-Rate $r.floorSelectPerSecond)) `
        (Show-Ratio ($r.firstUsePerSecond / $r.floorSelectPerSecond)) '≥ 0.7 × floor' (Show-Met ($r.firstUsePerSecond -ge 0.7 * $r.floorSelectPerSecond))
    Add-Part "${prefix}2" 'first use / floor, each round (interleaved)' ((0..($r.firstUseRuns.Count - 1) | ForEach-Object { "{0} / {1}" -f (Show-Rate $r.firstUseRuns[$_]), (Show-Rate $r.floorRuns[$_]) }) -join '; ')
    Add-Part "${prefix}2" 'the same in CPU time of the verifying thread, per key (less disturbed by other work): first use / floor, and floor ÷ first use' `
        ("{0} / {1}, {2}" -f (Show-Micro $r.firstUseCpuSecondsEach), (Show-Micro $r.floorCpuSecondsEach), (Show-Ratio ($r.floorCpuSecondsEach / $r.firstUseCpuSecondsEach)))
    Add-Part "${prefix}2" 'first use with the write of the last uses timed too (disposing the verifier writes them at once)' (Show-Rate $r.firstUseWithWritePerSecond)
    $without = ($r.genuineAloneBeforePerSecond + $r.genuineAloneAfterPerSecond) / 2
    Add-Row "${prefix}3" "${label}genuine verifications (10 keys with ``-Method CALL -Resource system.info``: cache hits) on one thread while another sends $($r.flood.ToString('N0')) invalid keys (malformed, an id no key has, a wrong secret for a real id, in turn)" `
        (Show-Rate $r.genuineDuringFloodPerSecond) ("the same without the flood (mean of before and after): " + (Show-Rate $without)) `
        (Show-Ratio ($r.genuineDuringFloodPerSecond / $without)) '≥ 0.8 × without' (Show-Met ($r.genuineDuringFloodPerSecond -ge 0.8 * $without))
    Add-Part "${prefix}3" 'genuine verifications without the flood: before / after' ("{0} / {1}" -f (Show-Rate $r.genuineAloneBeforePerSecond), (Show-Rate $r.genuineAloneAfterPerSecond))
    Add-Part "${prefix}3" 'CPU time per genuine verification, alone / during the flood (a rise would be contention between the threads; none means they only shared the cores)' `
        ("{0} / {1}" -f (Show-Micro $r.genuineCpuSecondsEachAlone), (Show-Micro $r.genuineCpuSecondsEachDuringFlood))
    Add-Part "${prefix}3" 'share of a core the genuine thread ran, alone / during the flood; the flooding thread''s share (on two idle cores, each thread has one)' `
        ("{0:P0} / {1:P0}; {2:P0}" -f ($r.genuineCpuSecondsEachAlone * $without), ($r.genuineCpuSecondsEachDuringFlood * $r.genuineDuringFloodPerSecond), ($r.floodCpuSeconds / $r.floodSeconds))
    Add-Part "${prefix}3" 'the flood: invalid keys per second; CPU time of the flooding thread / wall time' ("{0}; {1:0.0} s / {2:0.0} s" -f (Show-Rate $r.floodPerSecond), $r.floodCpuSeconds, $r.floodSeconds)
    Add-Part "${prefix}3" 'one invalid key alone: malformed / an id no key has / a wrong secret for a real id' `
        ("{0} / {1} / {2}" -f (Show-Micro $r.secondsEachMalformed), (Show-Micro $r.secondsEachUnknownId), (Show-Micro $r.secondsEachWrongSecret))
    Add-Row "${prefix}4" "${label}what the flood of $($r.flood.ToString('N0')) invalid keys adds to the store (the verifier open throughout, then closed)" `
        (Show-KB $r.storeGrowthBytes) ("$($r.auditRowsAdded) audit entries, counting every failure") '—' '< 1 MB' (Show-Met ($r.storeGrowthBytes -lt 1MB))
    Add-Part "${prefix}4" 'store bytes per audit entry of failures (6,000 entries of distinct requests such as GET /api/v1/pools/1234, written in 10 batches)' ('{0:0} B' -f $r.bytesPerFailureEntry)
}

try {
    # ---------------------------------------------------------------- P1: import cost
    Write-Step "P1: process start, $($sizes.P1Rounds) rounds of 5 variants"
    $p1Store = Join-Path $work 'p1/apikeys.db'
    New-Item -ItemType Directory -Path (Split-Path $p1Store) | Out-Null
    $null = Invoke-CSharp @('populate', $p1Store, '1')
    $variants = [ordered]@{
        bare        = @{ Args = @('-NoProfile', '-c', '1'); Expect = '1' }
        full        = @{ Args = @('-NoProfile', '-c', "Import-Module '$psd1'; Get-ApiKey -Id 1 -StorePath '$p1Store'"); Expect = 'k1' }
        importOnly  = @{ Args = @('-NoProfile', '-c', "Import-Module '$psd1'; 1"); Expect = '1' }
        # Yardsticks for what PowerShell itself charges: a first binary module (one that ships with pwsh), and a first
        # object shown through the format system.
        binaryImport = @{ Args = @('-NoProfile', '-c', 'Import-Module Microsoft.PowerShell.Security; 1'); Expect = '1' }
        firstObject  = @{ Args = @('-NoProfile', '-c', "[pscustomobject]@{ Id = 1; Name = 'k1'; CreatedAt = [datetime]::UtcNow; Allowlist = @() }"); Expect = 'k1' }
    }
    # Started by the C# program: wall time and, on Linux and macOS, CPU time (getrusage of the children), which the
    # other work on a busy machine disturbs much less than wall time.
    $spawnFile = Join-Path $work 'p1/variants.json'
    $spawn = [ordered]@{}
    foreach ($name in $variants.Keys) { $spawn[$name] = @{ file = $pwshFile; args = @($pwshPrefix + $variants[$name].Args); expect = $variants[$name].Expect } }
    $spawn | ConvertTo-Json -Depth 4 | Set-Content -Path $spawnFile -Encoding utf8NoBOM
    $p1 = Invoke-CSharp @('spawn', "$($sizes.P1Rounds)", $spawnFile)
    $median = @{}; $cpuMedian = $null
    foreach ($name in $variants.Keys) { $median[$name] = $p1.wallMedian.$name }
    if ($p1.cpuMedian) {
        $cpuMedian = @{}
        foreach ($name in $variants.Keys) { $cpuMedian[$name] = $p1.cpuMedian.$name }
    }
    $importCost = $median.full - $median.bare
    Add-Row 'P1' "import cost: ``Import-Module; Get-ApiKey -Id 1`` minus ``pwsh -c 1`` (median of $($sizes.P1Rounds) processes each)" `
        (Show-Ms $importCost) ("bare pwsh start " + (Show-Ms $median.bare)) (Show-Ratio ($importCost / $median.bare)) '≤ 100 ms' (Show-Met ($importCost -le 0.100))
    if ($cpuMedian) {
        $cpuCost = $cpuMedian.full - $cpuMedian.bare
        Add-Row 'P1' "the same in CPU time (user + system, all threads; less disturbed by other work)" (Show-Ms $cpuCost) ("bare pwsh start " + (Show-Ms $cpuMedian.bare)) (Show-Ratio ($cpuCost / $cpuMedian.bare)) '—' '—'
        Add-Part 'P1' 'CPU time minus bare: `Import-Module <psd1>` alone / `Import-Module Microsoft.PowerShell.Security` / a first [pscustomobject] shown' ("{0} / {1} / {2}" -f (Show-Ms ($cpuMedian.importOnly - $cpuMedian.bare)), (Show-Ms ($cpuMedian.binaryImport - $cpuMedian.bare)), (Show-Ms ($cpuMedian.firstObject - $cpuMedian.bare)))
    }
    Add-Part 'P1' 'bare `pwsh -NoProfile -c 1` (median process time)' (Show-Ms $median.bare)
    Add-Part 'P1' '`Import-Module <psd1>; Get-ApiKey -Id 1` (median process time)' (Show-Ms $median.full)
    Add-Part 'P1' '`Import-Module <psd1>` alone, minus bare' (Show-Ms ($median.importOnly - $median.bare))
    Add-Part 'P1' '`Import-Module Microsoft.PowerShell.Security` minus bare: what a first binary module costs (one that ships with pwsh)' (Show-Ms ($median.binaryImport - $median.bare))
    Add-Part 'P1' 'a first [pscustomobject] shown, minus bare: what the first formatted object costs' (Show-Ms ($median.firstObject - $median.bare))
    Add-Part 'P1' 'so: the first Get-ApiKey and its display (full minus import-only)' (Show-Ms ($median.full - $median.importOnly))
    Add-Part 'P1' 'so: what PowerShell charges before any code of this module runs (a first binary module + a first formatted object, each minus bare) / the rest, this module''s own' ("{0} / {1}" -f (Show-Ms (($median.binaryImport - $median.bare) + ($median.firstObject - $median.bare))), (Show-Ms (($median.full - $median.bare) - (($median.binaryImport - $median.bare) + ($median.firstObject - $median.bare)))))
    # In-process steps. The format file is also timed as a copy whose ScriptBlocks are replaced by a property (same
    # views), and a minimal format file goes first, so the module's file is timed after PowerShell's own format load.
    $formatFile = Join-Path $moduleCopy 'ApiKeyModule.format.ps1xml'
    $noScriptBlocks = Join-Path $work 'p1/NoScriptBlocks.format.ps1xml'
    $scriptBlockCount = ([regex]::Matches((Get-Content $formatFile -Raw), '<ScriptBlock>')).Count
    Set-Content -Path $noScriptBlocks -Encoding utf8NoBOM -Value ([regex]::Replace((Get-Content $formatFile -Raw), '(?s)<ScriptBlock>.*?</ScriptBlock>', '<PropertyName>Name</PropertyName>'))
    $minimalFormat = Join-Path $work 'p1/Minimal.format.ps1xml'
    Set-Content -Path $minimalFormat -Encoding utf8NoBOM -Value @'
<?xml version="1.0" encoding="utf-8"?>
<Configuration><ViewDefinitions><View><Name>Bench</Name><ViewSelectedBy><TypeName>ApiKeyModule.Bench.None</TypeName></ViewSelectedBy>
<TableControl><TableHeaders><TableColumnHeader><Label>Id</Label></TableColumnHeader></TableHeaders><TableRowEntries><TableRowEntry>
<TableColumnItems><TableColumnItem><PropertyName>Id</PropertyName></TableColumnItem></TableColumnItems></TableRowEntry></TableRowEntries>
</TableControl></View></ViewDefinitions></Configuration>
'@
    $details = foreach ($i in 1..3) { Invoke-Worker @{ Figure = 'P1Detail'; ModulePath = $psd1; StorePath = $p1Store; Mode = 'psd1' } }
    $steps = foreach ($i in 1..3) { Invoke-Worker @{ Figure = 'P1Detail'; ModulePath = $psd1; StorePath = $p1Store; Mode = 'steps'; FormatPath = $formatFile; MinimalFormatPath = $minimalFormat } }
    $stepsPlain = foreach ($i in 1..3) { Invoke-Worker @{ Figure = 'P1Detail'; ModulePath = $psd1; StorePath = $p1Store; Mode = 'steps'; FormatPath = $noScriptBlocks; MinimalFormatPath = $minimalFormat } }
    # "wall / CPU" medians of a step over the processes.
    function Get-Step($objects, [string] $name) {
        '{0} / {1}' -f (Show-Ms (Get-Median ($objects | ForEach-Object { $_.$name.wall }))), (Show-Ms (Get-Median ($objects | ForEach-Object { $_.$name.cpu })))
    }
    Add-Part 'P1' 'in process, wall / CPU (median of 3 processes): `Import-Module <psd1>`' (Get-Step $details import)
    Add-Part 'P1' ('in process: then the first `Get-ApiKey -Id 1`, which loads ' + ($details[0].assembliesAtFirstGet -join ', ') + ' and the native e_sqlite3') (Get-Step $details firstGet)
    Add-Part 'P1' 'in process: then its first display (`Out-String`, through the format file''s view)' (Get-Step $details firstShow)
    Add-Part 'P1' 'in process: then a second `Get-ApiKey -Id 1` (warm)' (Get-Step $details secondGet)
    Add-Part 'P1' ('in process, step by step: `Import-Module <ApiKeyModule.dll>` (no manifest, no format file; loads ' + ($steps[0].assembliesAtImport -join ', ') + ')') (Get-Step $steps importDll)
    Add-Part 'P1' 'in process, step by step: then `Update-FormatData` with a minimal one-view file (PowerShell loads its own format data first)' (Get-Step $steps formatFirst)
    Add-Part 'P1' "in process, step by step: then ``Update-FormatData`` with the module's format file ($scriptBlockCount ScriptBlocks) / the same views without ScriptBlocks" ('{0} // {1}' -f (Get-Step $steps format), (Get-Step $stepsPlain format))
    Add-Part 'P1' 'in process, step by step: then `[ApiKeyModule.ApiKeyStore]::Open($s).Dispose()` (loads Microsoft.Data.Sqlite, SQLitePCLRaw and the native e_sqlite3; opens; pragmas)' (Get-Step $steps engineOpen)
    Add-Part 'P1' 'in process, step by step: then the first `Get-ApiKey -Id 1` (cmdlet and query path, first run)' (Get-Step $steps firstGet)
    Add-Part 'P1' 'in process, step by step: then its first display, with the module''s views / without ScriptBlocks' ('{0} // {1}' -f (Get-Step $steps firstShow), (Get-Step $stepsPlain firstShow))
    Add-Part 'P1' 'assemblies loaded by `Import-Module <psd1>`' (($details[0].assembliesAtImport | Where-Object { $_ }) -join ', ')

    # ---------------------------------------------------------------- P2: bulk create
    $n = $sizes.P2
    Write-Step "P2: floor (raw per-row commit) x$n"
    $floorBefore = Invoke-CSharp @('floor-create', (Join-Path $work 'p2/floor-before'), "$n")
    Write-Step "P2: New-ApiKey x$n"
    $p2 = Invoke-Worker @{ Figure = 'P2'; ModulePath = $psd1; StorePath = (Join-Path $work 'p2/module/apikeys.db'); WarmStorePath = (Join-Path $work 'p2/warm/apikeys.db'); Count = $n }
    Write-Step "P2: floor again x$n"
    $floorAfter = Invoke-CSharp @('floor-create', (Join-Path $work 'p2/floor-after'), "$n")
    if ($p2.created -ne $n) { throw "P2: New-ApiKey created $($p2.created) keys, not $n." }
    $moduleRate = $n / $p2.moduleSeconds
    $floorSeconds = ($floorBefore.floorFullPerRowSeconds + $floorAfter.floorFullPerRowSeconds) / 2
    $floorRate = $n / $floorSeconds
    Add-Row 'P2' "bulk create: ``1..$n | % { `"k`$_`" } | New-ApiKey`` (durable per key)" (Show-Rate $moduleRate) `
        ("raw Microsoft.Data.Sqlite, 1 transaction (2 inserts) per key, WAL, synchronous=FULL: " + (Show-Rate $floorRate)) `
        (Show-Ratio ($moduleRate / $floorRate)) '≥ 0.5 × floor' (Show-Met ($moduleRate -ge 0.5 * $floorRate))
    Add-Part 'P2' "floor, per-row commit, synchronous=FULL (before / after the module run)" ("{0} / {1}" -f (Show-Rate ($n / $floorBefore.floorFullPerRowSeconds)), (Show-Rate ($n / $floorAfter.floorFullPerRowSeconds)))
    $normalSeconds = ($floorBefore.floorNormalPerRowSeconds + $floorAfter.floorNormalPerRowSeconds) / 2
    $batchSeconds = ($floorBefore.floorFullOneTransactionSeconds + $floorAfter.floorFullOneTransactionSeconds) / 2
    $engineSeconds = ($floorBefore.engineCreateSeconds + $floorAfter.engineCreateSeconds) / 2
    Add-Part 'P2' 'floor, per-row commit, synchronous=NORMAL (no fsync per commit in WAL)' (Show-Rate ($n / $normalSeconds))
    Add-Part 'P2' 'floor, all rows in one transaction' (Show-Rate ($n / $batchSeconds))
    Add-Part 'P2' 'engine alone, C# `ApiKeyStore.Create` per key (on disk, differences between these runs are mostly the fsync time of the moment; the tmpfs rows below split the CPU)' (Show-Rate ($n / $engineSeconds))
    Add-Part 'P2' 'per key: floor (of which fsync: FULL minus NORMAL)' ("{0} ({1})" -f (Show-Micro ($floorSeconds / $n)), (Show-Micro (($floorSeconds - $normalSeconds) / $n)))
    Add-Part 'P2' "per key: the input alone, ``1..$n | % { `"k`$_`" }``" (Show-Micro ($p2.sourceOnlySeconds / $n))
    Remove-Item (Join-Path $work 'p2') -Recurse -Force
    # The same on tmpfs, where fsync costs next to nothing: what is left is CPU.
    if ((Test-Path /dev/shm) -and -not $IsWindows) {
        $shm = Join-Path /dev/shm ("apikeymodule-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        try {
            Write-Step "P2: the same on tmpfs ($shm)"
            $shmFloor = Invoke-CSharp @('floor-create', (Join-Path $shm 'floor'), "$n")
            $shmModule = Invoke-Worker @{ Figure = 'P2'; ModulePath = $psd1; StorePath = (Join-Path $shm 'module/apikeys.db'); WarmStorePath = (Join-Path $shm 'warm/apikeys.db'); Count = $n }
            Add-Part 'P2' 'on tmpfs (no fsync cost), per key: floor / engine / module' ("{0} / {1} / {2}" -f (Show-Micro ($shmFloor.floorFullPerRowSeconds / $n)), (Show-Micro ($shmFloor.engineCreateSeconds / $n)), (Show-Micro ($shmModule.moduleSeconds / $n)))
            Add-Part 'P2' 'on tmpfs, per key: engine minus floor / module minus engine (PowerShell)' ("{0} / {1}" -f (Show-Micro (($shmFloor.engineCreateSeconds - $shmFloor.floorFullPerRowSeconds) / $n)), (Show-Micro (($shmModule.moduleSeconds - $shmFloor.engineCreateSeconds) / $n)))
            Add-Part 'P2' 'on tmpfs: module keys/s ÷ floor keys/s' (Show-Ratio ($shmFloor.floorFullPerRowSeconds / $shmModule.moduleSeconds))
        }
        finally {
            Remove-Item $shm -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    # ---------------------------------------------------------------- P3: enumerate
    $n = $sizes.P3
    Write-Step "P3: populating $n keys"
    $s100k = Join-Path $work 'p3/apikeys.db'
    New-Item -ItemType Directory -Path (Split-Path $s100k) | Out-Null
    $populated = Invoke-CSharp @('populate', $s100k, "$n")
    Write-Step "P3: Get-ApiKey | Measure-Object, $n keys"
    $p3 = Invoke-Worker @{ Figure = 'P3'; ModulePath = $psd1; StorePath = $s100k; Rounds = $sizes.P3Rounds }
    $p3CSharp = Invoke-CSharp @('enumerate', $s100k)
    if ($p3.n -ne $n) { throw "P3: Get-ApiKey returned $($p3.n) keys, not $n." }
    Add-Row 'P3' "enumerate: ``Get-ApiKey | Measure-Object`` over $($n.ToString('N0')) keys (median of $($sizes.P3Rounds))" (Show-Ms $p3.getMeasureSeconds) `
        ("$($n.ToString('N0')) precomputed [pscustomobject]s | Measure-Object: " + (Show-Ms $p3.floorSeconds)) (Show-Ratio ($p3.getMeasureSeconds / $p3.floorSeconds)) '≤ 2 × floor' (Show-Met ($p3.getMeasureSeconds -le 2 * $p3.floorSeconds))
    Add-Part 'P3' 'raw SQLite read of all columns, C#, no objects' (Show-Ms $p3CSharp.rawReadSeconds)
    Add-Part 'P3' 'engine `ApiKeyStore.List()`, C# (read + ApiKey objects + allowlist parse)' (Show-Ms $p3CSharp.engineListSeconds)
    Add-Part 'P3' 'what-if, C#: raw read + allowlist parsed per row as the engine does / parsed once per distinct text' ("{0} / {1}" -f (Show-Ms $p3CSharp.rawReadParseAllowlistSeconds), (Show-Ms $p3CSharp.rawReadCachedAllowlistSeconds))
    Add-Part 'P3' 'what-if, C#: the same read through SQLitePCL.raw (no Microsoft.Data.Sqlite reader)' (Show-Ms $p3CSharp.sqlitePclRawReadSeconds)
    Add-Part 'P3' 'engine `$store.List() | Measure-Object` in pwsh (no cmdlet)' (Show-Ms $p3.engineListThroughPipelineSeconds)
    Add-Part 'P3' '`$null = Get-ApiKey` (no downstream command)' (Show-Ms $p3.getAloneSeconds)
    Add-Part 'P3' '`Get-ApiKey | Measure-Object`' (Show-Ms $p3.getMeasureSeconds)
    Add-Part 'P3' 'precomputed ApiKey objects (from `@(Get-ApiKey)`) `| Measure-Object` (typed objects; Measure-Object uses no format data)' (Show-Ms $p3.typedPrecomputedSeconds)
    Add-Part 'P3' 'floor: precomputed [pscustomobject]s `| Measure-Object`' (Show-Ms $p3.floorSeconds)
    Add-Part 'P3' "building the floor's [pscustomobject]s (untimed in the figure)" (Show-Ms $p3.buildFloorObjectsSeconds)

    # ---------------------------------------------------------------- P4: verify
    $n = $sizes.P4
    Write-Step "P4: engine verify over $n distinct keys; PBKDF2 floor"
    $p4 = Invoke-CSharp @('verify', $s100k, '0', "$n", '3')
    $keyFile = Join-Path $work 'p4-keys.txt'
    $warmKeyFile = Join-Path $work 'p4-warm-keys.txt'
    $null = Invoke-CSharp @('keys', $s100k, "$n", "$n", $keyFile)
    $null = Invoke-CSharp @('keys', $s100k, "$(2 * $n)", '50', $warmKeyFile)
    Write-Step "P4: Test-ApiKey over a pipeline of $n keys"
    $p4Module = Invoke-Worker @{ Figure = 'P4'; ModulePath = $psd1; StorePath = $s100k; KeyFile = $keyFile; WarmKeyFile = $warmKeyFile }
    if ($p4.coldValid -ne $n -or $p4.warmValid -ne $n -or $p4Module.coldValid -ne $n) { throw "P4: not every key verified: $($p4 | ConvertTo-Json -Compress) $($p4Module | ConvertTo-Json -Compress)" }
    $pbkdf2 = "PBKDF2-SHA512 × 500,000: " + (Show-Rate $p4.pbkdf2PerSecond)
    Add-Row 'P4' "engine ``ApiKeyVerifier.Verify``, a new verifier, $($n.ToString('N0')) distinct keys, each on its first use in the minute: a SELECT per key, and its last-use write (deferred, one durable transaction, timed)" (Show-Rate $p4.coldPerSecond) $pbkdf2 (Show-Ratio ($p4.coldPerSecond / $p4.pbkdf2PerSecond)) '≥ 100,000/s' (Show-Met ($p4.coldPerSecond -ge 100000))
    Add-Row 'P4' "engine ``ApiKeyVerifier.Verify``, the same keys again and again, as a service verifies its clients (cache hits checked current; median of 5 passes)" (Show-Rate $p4.warmPerSecond) $pbkdf2 (Show-Ratio ($p4.warmPerSecond / $p4.pbkdf2PerSecond)) '≥ 100,000/s' (Show-Met ($p4.warmPerSecond -ge 100000))
    $coldTest = $n / $p4Module.coldSeconds
    $warmTest = $n / $p4Module.warmSeconds
    Add-Row 'P4' "```$keys | Test-ApiKey``, $($n.ToString('N0')) other distinct keys, first use" (Show-Rate $coldTest) $pbkdf2 (Show-Ratio ($coldTest / $p4.pbkdf2PerSecond)) '—' '—'
    Add-Row 'P4' "```$keys | Test-ApiKey``, the same keys again (median of 3)" (Show-Rate $warmTest) $pbkdf2 (Show-Ratio ($warmTest / $p4.pbkdf2PerSecond)) '—' '—'
    Add-Part 'P4' 'SHA-256 of the secret alone, C#' (Show-Rate $p4.hashOnlyPerSecond)
    Add-Part 'P4' 'SHA-256 as the engine computes it (managed, from where the secret stands in the key: OpenSSL 3 makes threads take turns), C#' (Show-Rate $p4.hashEngineStylePerSecond)
    Add-Part 'P4' 'prepared `SELECT … WHERE id = $id` alone, C# (default 2 MB page cache)' (Show-Rate $p4.lookupOnlyPerSecond)
    Add-Part 'P4' 'what-if: the same with `PRAGMA cache_size = -65536` / with `PRAGMA mmap_size = 268435456`' ("{0} / {1}" -f (Show-Rate $p4.lookupCache64MBPerSecond), (Show-Rate $p4.lookupMmapPerSecond))
    Add-Part 'P4' 'the same through SQLitePCL.raw (no command/reader objects): what a cache miss costs at least' (Show-Rate $p4.lookupSqlitePclRawPerSecond)
    Add-Part 'P4' 'prepared `PRAGMA data_version` alone (what checking the cache is current costs: a read transaction), C#: Microsoft.Data.Sqlite / SQLitePCL.raw' ("{0} / {1}" -f (Show-Rate $p4.dataVersionPerSecond), (Show-Rate $p4.dataVersionSqlitePclRawPerSecond))
    Add-Part 'P4' 'a last-use write alone, one per transaction: `UPDATE last_used_at` autocommit, synchronous=FULL / NORMAL' ("{0} / {1}" -f (Show-Rate $p4.touchFULLPerSecond), (Show-Rate $p4.touchNORMALPerSecond))
    Add-Part 'P4' 'engine, first use: the verifications alone / the deferred write of their last uses, per key (SQLite writes a whole 4 KB page for each randomly chosen key)' ("{0} / {1}" -f (Show-Rate $p4.coldVerifyOnlyPerSecond), (Show-Micro $p4.coldWriteSecondsPerKey))
    Add-Part 'P4' 'engine, a new verifier, the first keys again: cache misses, no write' (Show-Rate $p4.missPerSecond)
    Add-Part 'P4' 'engine, again, two threads on one verifier (cache hits, each on a read connection of its own)' (Show-Rate $p4.warmTwoThreadsPerSecond)
    Add-Part 'P4' 'engine, again, with `-Method CALL -Resource system.info`: first authorization per key (allowlist parsed) / then (median of 2)' ("{0} / {1}" -f (Show-Rate $p4.warmAuthorizeFirstPerSecond), (Show-Rate $p4.warmAuthorizePerSecond))
    $grace = Invoke-CSharp @('grace', (Join-Path $work 'p4-grace'), '200000', '7')
    Add-Part 'P4' 'engine, again, with a call, one key each (median of 7 rounds, in turn): never reset / the new key of a key reset with a grace period / its previous key' ("{0} / {1} / {2}" -f (Show-Rate $grace.plainPerSecond), (Show-Rate $grace.newKeyPerSecond), (Show-Rate $grace.previousKeyPerSecond))
    Add-Part 'P4' 'engine, wrong secret (NotFound: counted in memory, written in a batch)' (Show-Rate $p4.wrongSecretPerSecond)
    Add-Part 'P4' '`Test-ApiKey` pipeline, first use / again' ("{0} / {1}" -f (Show-Rate $coldTest), (Show-Rate $warmTest))
    Add-Part 'P4' "``Test-ApiKey `$k`` once per key (one invocation each, as on a request path), $($p4Module.perCallCount) keys" (Show-Rate ($p4Module.perCallCount / $p4Module.perCallWarmSeconds))
    Add-Part 'P4' 'PBKDF2-SHA512, 500,000 rounds, one derivation (median of 3)' (Show-Ms $p4.pbkdf2SecondsEach)

    # ---------------------------------------------------------------- V1-V4: the verifier under concurrency and attack
    Write-Step "V1-V4: verifier on 1 and 2 threads, first use against a bare SELECT ($($sizes.VRounds) rounds of $($sizes.V) keys), a flood of $($sizes.Flood) invalid keys"
    # Keys of the same store that P4 left unused (it takes the first 3 × n of the sample order).
    $v = Invoke-CSharp @('verifier', $s100k, "$(3 * $sizes.P4 + 2000)", "$($sizes.V)", "$($sizes.VRounds)", "$($sizes.Flood)")
    Add-VerifierRows 'V' 'SQLite' 'SQLitePCL.raw' '?' 'a new connection with the page cache of a verifier''s (16 MB)' $v
    Remove-Item (Join-Path $work 'p3') -Recurse -Force

    # ---------------------------------------------------------------- P5: scale
    $big = $sizes.P5Big
    $bigLabel = if ($big -ge 1000000) { "$($big / 1000000)M" } else { "$($big / 1000)k" }
    Write-Step "P5: populating 1k and $bigLabel keys"
    $small = Join-Path $work 'p5/small/apikeys.db'
    $large = Join-Path $work 'p5/large/apikeys.db'
    New-Item -ItemType Directory -Path (Split-Path $small), (Split-Path $large) | Out-Null
    $smallPopulated = Invoke-CSharp @('populate', $small, '1000')
    $largePopulated = Invoke-CSharp @('populate', $large, "$big")
    $plans = Invoke-CSharp @('explain', $large)
    $lookupParts = Invoke-CSharp @('lookup', $large, '5000')
    Write-Step "P5: $($sizes.P5Lookups) Get-ApiKey -Id lookups on each store, interleaved; -Name 'k12345*'"
    $p5 = Invoke-Worker @{ Figure = 'P5Lookup'; ModulePath = $psd1; StorePath = $large; SmallStorePath = $small; Count = $sizes.P5Lookups; BigKeys = $big }
    Write-Step "P5: memory of enumerating $bigLabel keys"
    $memLarge = Invoke-Worker @{ Figure = 'P5Memory'; ModulePath = $psd1; StorePath = $large; WarmStorePath = $small }
    $memSmall = Invoke-Worker @{ Figure = 'P5Memory'; ModulePath = $psd1; StorePath = $small }
    Add-Row 'P5' "``Get-ApiKey -Id`` at $bigLabel keys (median of $($sizes.P5Lookups) lookups)" (Show-Ms $p5.bigIdMedianSeconds) ("at 1k keys: " + (Show-Ms $p5.smallIdMedianSeconds)) `
        (Show-Ratio ($p5.bigIdMedianSeconds / $p5.smallIdMedianSeconds)) '≤ 1.5' (Show-Met ($p5.bigIdMedianSeconds / $p5.smallIdMedianSeconds -le 1.5))
    Add-Row 'P5' "``Get-ApiKey -Name 'k12345*'`` at $bigLabel keys ($($p5.nameBigMatched) match; median of 21)" (Show-Ms $p5.nameBigMedianSeconds) ("at 1k keys (0 match): " + (Show-Ms $p5.nameSmallMedianSeconds)) `
        (Show-Ratio ($p5.nameBigMedianSeconds / $p5.nameSmallMedianSeconds)) '—' '—'
    $growthKnown = $null -ne $memLarge.PSObject.Properties['peakGrowthBytes']
    if ($growthKnown) {
        Add-Row 'P5' "peak working-set growth of ``Get-ApiKey | Measure-Object`` over $bigLabel keys" (Show-MB $memLarge.peakGrowthBytes) ("over 1k keys: " + (Show-MB $memSmall.peakGrowthBytes)) `
            (Show-Ratio ($memLarge.peakGrowthBytes / [math]::Max(1, $memSmall.peakGrowthBytes))) '≤ 50 MB' (Show-Met ($memLarge.peakGrowthBytes -le 50MB))
    }
    else {
        Add-Row 'P5' "peak working-set growth of enumerating $bigLabel keys" 'n/a (no /proc)' '' '' '≤ 50 MB' '—'
    }
    $bigPerKey = $largePopulated.bytes / $big
    $smallPerKey = $smallPopulated.bytes / 1000
    Add-Row 'P5' "store bytes per key at $bigLabel keys" ('{0:0} B' -f $bigPerKey) ('at 1k keys: {0:0} B' -f $smallPerKey) (Show-Ratio ($bigPerKey / $smallPerKey)) '—' '—'
    Add-Part 'P5' "populating $bigLabel keys in one transaction, C# (untimed in the figures)" ('{0:0.0} s' -f $largePopulated.seconds)
    Add-Part 'P5' '`Get-ApiKey -Id`, mean at 1k / at large' ("{0} / {1}" -f (Show-Ms $p5.smallIdMeanSeconds), (Show-Ms $p5.bigIdMeanSeconds))
    Add-Part 'P5' "the same $($p5.nameBigMatched) keys as ``-Name 'k12345*'`` by ``Get-ApiKey -Id <ids>`` (one invocation)" (Show-Ms $p5.sameKeysByIdMedianSeconds)
    Add-Part 'P5' "enumerating $bigLabel keys: time, rate" ("{0:0.0} s, {1}" -f $memLarge.seconds, (Show-Rate ($memLarge.n / $memLarge.seconds)))
    Add-Part 'P5' "enumerating ${bigLabel}: managed bytes allocated per key; gen2 GCs" ("{0:N0} B; {1}" -f ($memLarge.allocatedBytes / $memLarge.n), $memLarge.gen2Collections)
    Add-Part 'P5' "enumerating ${bigLabel}: GC heap before / after (uncollected) / at the last GC" ("{0} / {1} / {2}" -f (Show-MB $memLarge.heapBeforeBytes), (Show-MB $memLarge.heapAfterBytes), (Show-MB $memLarge.gcHeapAtLastGcBytes))
    if ($growthKnown) {
        Add-Part 'P5' "enumerating ${bigLabel}: resident before, peak after" ("{0} → {1}" -f (Show-MB $memLarge.rssBeforeBytes), (Show-MB $memLarge.hwmAfterBytes))
    }
    Add-Part 'P5' "per lookup at ${bigLabel}, C#: prepared SELECT reused / SELECT prepared anew (as ``ApiKeyStore.Get``)" ("{0} / {1}" -f (Show-Micro $lookupParts.rawPreparedSeconds), (Show-Micro $lookupParts.rawNewCommandSeconds))
    Add-Part 'P5' "per lookup at ${bigLabel}, C#: ``ApiKeyStore.Get`` on an open store / ``Open`` + ``Get`` + ``Dispose`` (what one ``Get-ApiKey -Id`` does in the engine)" ("{0} / {1}" -f (Show-Micro $lookupParts.getOnOpenStoreSeconds), (Show-Micro $lookupParts.openGetDisposeSeconds))
    Add-Part 'P5' 'query plan, `-Id`' $plans.byId
    Add-Part 'P5' 'query plan, `-Name <prefix>*`' $plans.byNamePrefix
    Add-Part 'P5' 'query plan, all keys' $plans.list

    # ---------------------------------------------------------------- PG1-PG4, PGV1-PGV4: a PostgreSQL store
    if (-not $env:APIKEYMODULE_BENCH_POSTGRES) {
        $notes.Add('PG1-PG4 and PGV1-PGV4 were left out: APIKEYMODULE_BENCH_POSTGRES named no PostgreSQL server.')
    }
    else {
        $n = $sizes.PG1
        Write-Step "PG1: floor (raw Npgsql, a transaction per key) x$n"
        $pgFloorBefore = Invoke-CSharp @('pg-floor-create', "$n")
        $facts['PostgreSQL'] = "$($pgFloorBefore.server), a throwaway server on 127.0.0.1 started by build.ps1 (fsync=off, as for the tests)"
        Write-Step "PG1: New-ApiKey x$n"
        $suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $pg1 = Invoke-Worker @{ Figure = 'P2'; ModulePath = $psd1; StoreSchema = "bench_pg1_$suffix"; WarmStoreSchema = "bench_pg1warm_$suffix"; Count = $n }
        Write-Step "PG1: floor again x$n"
        $pgFloorAfter = Invoke-CSharp @('pg-floor-create', "$n")
        if ($pg1.created -ne $n) { throw "PG1: New-ApiKey created $($pg1.created) keys, not $n." }
        $moduleRate = $n / $pg1.moduleSeconds
        $floorSeconds = ($pgFloorBefore.floorPerRowSeconds + $pgFloorAfter.floorPerRowSeconds) / 2
        $floorRate = $n / $floorSeconds
        Add-Row 'PG1' "PostgreSQL bulk create: ``1..$n | % { `"k`$_`" } | New-ApiKey`` (a transaction per key)" (Show-Rate $moduleRate) `
            ("raw Npgsql, prepared, 1 transaction (2 inserts) per key: " + (Show-Rate $floorRate)) `
            (Show-Ratio ($moduleRate / $floorRate)) '≥ 0.5 × floor' (Show-Met ($moduleRate -ge 0.5 * $floorRate))
        Add-Part 'PG1' 'floor, raw Npgsql per-key transaction (before / after the module run)' ("{0} / {1}" -f (Show-Rate ($n / $pgFloorBefore.floorPerRowSeconds)), (Show-Rate ($n / $pgFloorAfter.floorPerRowSeconds)))
        $engineSeconds = ($pgFloorBefore.engineCreateSeconds + $pgFloorAfter.engineCreateSeconds) / 2
        Add-Part 'PG1' 'engine alone, C# `ApiKeyStore.Create` per key' (Show-Rate ($n / $engineSeconds))
        Add-Part 'PG1' 'per key: floor / engine / module' ("{0} / {1} / {2}" -f (Show-Micro ($floorSeconds / $n)), (Show-Micro ($engineSeconds / $n)), (Show-Micro ($pg1.moduleSeconds / $n)))
        Add-Part 'PG1' 'per key: engine minus floor / module minus engine (PowerShell)' ("{0} / {1}" -f (Show-Micro (($engineSeconds - $floorSeconds) / $n)), (Show-Micro (($pg1.moduleSeconds - $engineSeconds) / $n)))

        $keys = $sizes.PGKeys
        Write-Step "PG2, PG3: verifier over $keys keys, $($sizes.PGHits) cache hits; raw SELECT floor ($($sizes.PGRounds) rounds)"
        $pgv = Invoke-CSharp @('pg-verify', "$keys", "$($sizes.PGHits)", "$($sizes.PGRounds)")
        Add-Row 'PG2' "PostgreSQL: engine ``ApiKeyVerifier.Verify``, cache hits ($($sizes.PGHits.ToString('N0')) verifications of $($keys.ToString('N0')) keys, each checked current against the listener; median of $($sizes.PGRounds))" `
            (Show-Rate $pgv.hitPerSecond) ("raw Npgsql prepared ``SELECT … WHERE id = `$1``: " + (Show-Rate $pgv.floorSelectPerSecond)) `
            (Show-Ratio ($pgv.hitPerSecond / $pgv.floorSelectPerSecond)) '≥ 100,000/s' (Show-Met ($pgv.hitPerSecond -ge 100000))
        Add-Row 'PG3' "PostgreSQL: engine ``ApiKeyVerifier.Verify``, cache misses (a new verifier, $($keys.ToString('N0')) keys, last use already recent: a SELECT per key, no write; median of $($sizes.PGRounds))" `
            (Show-Rate $pgv.missPerSecond) ("raw Npgsql prepared ``SELECT … WHERE id = `$1``, same rows in a schema of its own: " + (Show-Rate $pgv.floorSelectPerSecond)) `
            (Show-Ratio ($pgv.missPerSecond / $pgv.floorSelectPerSecond)) '≥ 0.5 × floor' (Show-Met ($pgv.missPerSecond -ge 0.5 * $pgv.floorSelectPerSecond))
        Add-Part 'PG2' 'cache hits, each round' (($pgv.hitRunsPerSecond | ForEach-Object { Show-Rate $_ }) -join ' / ')
        Add-Part 'PG3' 'cache misses / floor, each round (interleaved)' ((0..($pgv.missRunsPerSecond.Count - 1) | ForEach-Object { "{0} / {1}" -f (Show-Rate $pgv.missRunsPerSecond[$_]), (Show-Rate $pgv.floorRunsPerSecond[$_]) }) -join '; ')

        $samples = $sizes.PGSamples
        Write-Step "PG4: revocation propagation, $samples samples"
        $pgp = Invoke-CSharp @('pg-propagation', "$samples")
        $what = "PostgreSQL revocation propagation: a running verifier (cache hits in a loop) refuses a key revoked by ``ApiKeyStore.Revoke`` in another process; from the commit returning to the first refusal ($samples samples)"
        $floorWhat = 'raw Npgsql, committed UPDATE + pg_notify to a LISTEN connection'
        Add-Row 'PG4' "$what, median" ('{0:0.00} ms' -f $pgp.medianMs) ("${floorWhat}, median: {0:0.00} ms" -f $pgp.floorMedianMs) (Show-Ratio ($pgp.medianMs / [math]::Max(0.001, $pgp.floorMedianMs))) '—' '—'
        Add-Row 'PG4' 'the same, p99' ('{0:0.00} ms' -f $pgp.p99Ms) ('floor p99: {0:0.00} ms' -f $pgp.floorP99Ms) (Show-Ratio ($pgp.p99Ms / [math]::Max(0.001, $pgp.floorP99Ms))) '—' '—'
        Add-Row 'PG4' 'the same, worst' ('{0:0.00} ms' -f $pgp.worstMs) ('floor worst: {0:0.00} ms' -f $pgp.floorWorstMs) (Show-Ratio ($pgp.worstMs / [math]::Max(0.001, $pgp.floorWorstMs))) '≤ 1 s (documented bound)' (Show-Met ($pgp.worstMs -le 1000))
        Add-Part 'PG4' 'verifications made from the revocation request to the first refusal (median)' ('{0:N0}' -f $pgp.verificationsUntilSeenMedian)

        Write-Step "PGV1-PGV4: verifier on 1 and 2 threads, first use against a bare SELECT ($($sizes.PGVRounds) rounds of $($sizes.PGV) keys), a flood of $($sizes.PGFlood) invalid keys"
        $pgVerifier = Invoke-CSharp @('pg-verifier', "$($sizes.PGV)", "$($sizes.PGVRounds)", "$($sizes.PGFlood)")
        Add-VerifierRows 'PGV' 'PostgreSQL' 'raw Npgsql' '$1' 'a new connection, warmed on 200 of them (the verifier''s pooled connections are warm)' $pgVerifier
    }

    # ---------------------------------------------------------------- H1, H2: the sample service over HTTP
    if (-not (Get-Command wrk -CommandType Application -ErrorAction Ignore)) {
        $notes.Add('H1-H2 were left out: wrk is not installed (build.ps1 -Task Bench installs it with apt-get when it can).')
    }
    else {
        $httpProject = Join-Path $PSScriptRoot 'ApiKeyService.Benchmark/ApiKeyService.Benchmark.csproj'
        Write-Step "H1, H2: building $httpProject ($Configuration)"
        dotnet build $httpProject -c $Configuration --nologo -v quiet | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "dotnet build of the HTTP benchmark failed (exit code $LASTEXITCODE)." }
        $httpDll = Join-Path $PSScriptRoot "ApiKeyService.Benchmark/bin/$Configuration/net10.0/ApiKeyService.Benchmark.dll"
        $kinds = @('sqlite') + @(if ($env:APIKEYMODULE_BENCH_POSTGRES) { 'postgres' })
        foreach ($kind in $kinds) {
            $id, $storeName = if ($kind -eq 'sqlite') { 'H1', 'SQLite' } else { 'H2', 'PostgreSQL' }
            Write-Step "${id}: GET /ping through the sample service with and without authentication ($storeName), $($sizes.HRounds) rounds of $($sizes.HSeconds) s each, wrk with $($sizes.HConnections) connections"
            $output = & dotnet $httpDll $kind $sizes.HSeconds $sizes.HRounds $sizes.HConnections
            if ($LASTEXITCODE -ne 0) { throw "ApiKeyService.Benchmark $kind failed (exit code $LASTEXITCODE)." }
            $h = (@($output) | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
            $plain = "the same service without authentication: "
            Add-Row $id "HTTP, $($storeName): ``GET /ping`` (a trivial endpoint) through the sample service with API key authentication (``Authorization: Bearer``, verified per request: the verifier's cache hit), wrk with $($sizes.HConnections) connections; median of $($sizes.HRounds) interleaved rounds of $($sizes.HSeconds) s; ratio: median of each round's pair" `
                (Show-Rate $h.authMedianPerSecond) ($plain + (Show-Rate $h.plainMedianPerSecond)) (Show-Ratio $h.pairRatioMedian) '≥ 0.9 × floor (authentication ≤ 10 %)' (Show-Met ($h.pairRatioMedian -ge 0.9))
            # A service whose cores are busy serves requests at the inverse of their CPU cost: 0.9 × the rate is 1.11 × the CPU.
            Add-Row $id "the same in the service's CPU time per request (its process, while wrk runs in another; other work disturbs it less than the rate)" `
                (Show-Micro ($h.authCpuMedian / 1e6)) ($plain + (Show-Micro ($h.plainCpuMedian / 1e6))) (Show-Ratio ($h.authCpuMedian / $h.plainCpuMedian)) '≤ 1.11 × floor (the same 10 %)' (Show-Met ($h.authCpuMedian -le $h.plainCpuMedian / 0.9))
            Add-Part $id 'requests/s with / without authentication, each round' ((0..($h.authPerSecond.Count - 1) | ForEach-Object { "{0} / {1}" -f (Show-Rate $h.authPerSecond[$_]), (Show-Rate $h.plainPerSecond[$_]) }) -join '; ')
            Add-Part $id 'CPU per request with / without authentication, each round' ((0..($h.authPerSecond.Count - 1) | ForEach-Object { "{0} / {1}" -f (Show-Micro ($h.authCpuMicrosecondsPerRequest[$_] / 1e6)), (Show-Micro ($h.plainCpuMicrosecondsPerRequest[$_] / 1e6)) }) -join '; ')
            Add-Part $id 'so: what authentication adds per request, in CPU (median with minus median without)' (Show-Micro (($h.authCpuMedian - $h.plainCpuMedian) / 1e6))
            Add-Part $id '`ApiKeyVerifier.Verify(key, "GET", "/ping")` alone, in process, 1 thread / 2 threads at once: rate and CPU per call' ("{0}, {1} / {2}, {3}" -f (Show-Rate $h.verifyAlone1PerSecond), (Show-Micro ($h.verifyAlone1CpuMicroseconds / 1e6)), (Show-Rate $h.verifyAlone2PerSecond), (Show-Micro ($h.verifyAlone2CpuMicroseconds / 1e6)))
            Add-Part $id 'median latency (wrk) with / without authentication, median of the rounds' ('{0:0.00} ms / {1:0.00} ms' -f (Get-Median $h.authLatencyMs), (Get-Median $h.plainLatencyMs))
            Add-Part $id 'load generator' "$($h.wrk), one thread, the same header on both services (the one without authentication ignores it)"
        }
    }
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}

# ---------------------------------------------------------------- report
$facts['Load average (1 min) at start / end'] = "$loadAtStart / $(Get-Load) (other work on the machine runs alongside)"
if ($Quick) { $notes.Add('Run with -Quick: every figure at a tenth of its size; these are not the issue''s figures.') }
$notes.Add("The module measured is a copy of the build's out/ApiKeyModule, taken at the start of the run (others may rebuild out/ meanwhile).")
$notes.Add('Child sessions are started with the pwsh running build.ps1. Stores live in a temporary folder and are deleted after the run.')
$notes.Add('Ratios are measured ÷ floor. Targets are the issue''s; "met?" only reports, nothing fails on a figure.')
$notes.Add('V1, V3, PGV1 and PGV3 compare one thread with two: they need two free cores. Their parts give what the machine gave two threads of plain computation in the same rounds, the share of a core each thread ran, and the CPU time a verification took alone and with the other thread (the same CPU time means the threads did not contend, only shared the cores).')


function Format-Cell($value) { ([string]$value).Replace('|', '\|') }
$markdown = [Text.StringBuilder]::new()
$null = $markdown.AppendLine('# ApiKeyModule benchmarks').AppendLine()
$null = $markdown.AppendLine('Written by `dotnet pwsh -NoProfile -File build.ps1 -Task Bench`. Every figure is set against a floor measured in the same run on the same machine; these are benchmarks, not tests, and CI does not run them.').AppendLine()
$null = $markdown.AppendLine('| Machine | |').AppendLine('|---|---|')
foreach ($key in $facts.Keys) { $null = $markdown.AppendLine("| $key | $(Format-Cell $facts[$key]) |") }
$null = $markdown.AppendLine().AppendLine("Run time: $('{0:0}' -f $runStart.Elapsed.TotalSeconds) s.").AppendLine()
$null = $markdown.AppendLine('## Figures').AppendLine()
$null = $markdown.AppendLine('| id | figure | measured | floor | ratio | target | met? |').AppendLine('|---|---|---|---|---|---|---|')
foreach ($row in $rows) {
    $null = $markdown.AppendLine("| $($row.Id) | $(Format-Cell $row.Figure) | $(Format-Cell $row.Measured) | $(Format-Cell $row.Floor) | $(Format-Cell $row.Ratio) | $(Format-Cell $row.Target) | $(Format-Cell $row.Met) |")
}
$null = $markdown.AppendLine().AppendLine('## Where the time goes').AppendLine()
$null = $markdown.AppendLine('| id | part | value |').AppendLine('|---|---|---|')
foreach ($part in $parts) { $null = $markdown.AppendLine("| $($part.Id) | $(Format-Cell $part.Part) | $(Format-Cell $part.Value) |") }
$null = $markdown.AppendLine().AppendLine('## Notes').AppendLine()
foreach ($note in $notes) { $null = $markdown.AppendLine("- $note") }
Write-Host $markdown.ToString()
Set-Content -Path $ResultPath -Value $markdown.ToString() -Encoding utf8NoBOM
Write-Step "Results written to $ResultPath"
