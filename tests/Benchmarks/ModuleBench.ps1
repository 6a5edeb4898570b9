<#
.SYNOPSIS
    One benchmark figure of the built module, measured inside this (child) pwsh; Invoke-Benchmarks.ps1 runs it.
.DESCRIPTION
    Prints one JSON object (compressed, on its last line) with the figure's timings. Not a test: nothing fails on a figure.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [ValidateSet('P1Detail', 'P2', 'P3', 'P4', 'P5Lookup', 'P5Memory')]
    [string] $Figure,
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $StorePath,
    [string] $SmallStorePath,
    [string] $WarmStorePath,
    [string] $KeyFile,
    [string] $WarmKeyFile,
    [int] $Count = 5000,
    [int] $Rounds = 5,
    [int] $BigKeys = 1000000,
    [string] $Mode,
    [string] $FormatPath,
    [string] $MinimalFormatPath,
    # PostgreSQL: the stores are these schemas on the server named by $env:APIKEYMODULE_BENCH_POSTGRES (the connection
    # string stays out of the command line, which other users of the machine can read).
    [string] $StoreSchema,
    [string] $WarmStoreSchema
)

$ErrorActionPreference = 'Stop'
$result = [ordered]@{ figure = $Figure }
if ($StoreSchema) { $StorePath = "$env:APIKEYMODULE_BENCH_POSTGRES;Schema=$StoreSchema" }
if ($WarmStoreSchema) { $WarmStorePath = "$env:APIKEYMODULE_BENCH_POSTGRES;Schema=$WarmStoreSchema" }

function Get-Median([double[]] $values) {
    $sorted = [double[]]($values | Sort-Object)
    $middle = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$middle] }
    return ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

function Get-Seconds([scriptblock] $block) {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    . $block
    return $watch.Elapsed.TotalSeconds
}

# Wall and CPU seconds (this process, all threads) of a block.
$self = [Diagnostics.Process]::GetCurrentProcess()
function Get-Times([scriptblock] $block) {
    $self.Refresh()
    $cpu = $self.TotalProcessorTime.TotalSeconds
    $watch = [Diagnostics.Stopwatch]::StartNew()
    . $block
    $wall = $watch.Elapsed.TotalSeconds
    $self.Refresh()
    return [ordered]@{ wall = $wall; cpu = $self.TotalProcessorTime.TotalSeconds - $cpu }
}

# Resident and peak resident set (bytes) of this process, from /proc (Linux); $null elsewhere.
function Get-ProcMemory {
    $status = "/proc/$PID/status"
    if (-not (Test-Path $status)) { return $null }
    $values = @{}
    foreach ($line in [IO.File]::ReadAllLines($status)) {
        if ($line -match '^(VmRSS|VmHWM):\s+(\d+) kB') { $values[$Matches[1]] = [long]$Matches[2] * 1024 }
    }
    return $values
}

switch ($Figure) {
    'P1Detail' {
        # Where the first Get-ApiKey of a process goes, timed inside the process (wall and CPU seconds).
        # -Mode psd1: as users import it. -Mode steps: the dll (its initializer loads the engine); a minimal format file
        # (PowerShell loads its own format data on the first one); then -FormatPath (the module's format file, or a copy
        # without ScriptBlocks); a store opened by the engine; the first Get-ApiKey; its first display.
        $before = [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name }
        if ($Mode -eq 'steps') {
            $result.importDll = Get-Times { Import-Module (Join-Path (Split-Path $ModulePath) 'ApiKeyModule.dll') }
            $imported = [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name }
            $result.formatFirst = Get-Times { Update-FormatData -PrependPath $MinimalFormatPath }
            $result.format = Get-Times { Update-FormatData -PrependPath $FormatPath }
            $result.engineOpen = Get-Times { [ApiKeyModule.ApiKeyStore]::Open($StorePath).Dispose() }
        }
        else {
            $result.import = Get-Times { Import-Module $ModulePath }
            $imported = [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name }
        }
        $opened = [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name }
        $result.firstGet = Get-Times { $script:key = Get-ApiKey -Id 1 -StorePath $StorePath }
        $after = [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name }
        $result.firstShow = Get-Times { $null = $script:key | Out-String }
        $result.secondGet = Get-Times { $null = Get-ApiKey -Id 1 -StorePath $StorePath }
        # Only the module's own assemblies (this script's commands load some of PowerShell's too).
        $own = [IO.Directory]::GetFiles((Split-Path $ModulePath), '*.dll', [IO.SearchOption]::AllDirectories) | ForEach-Object { [IO.Path]::GetFileNameWithoutExtension($_) }
        $result.assembliesAtImport = @($imported | Where-Object { $_ -notin $before -and $_ -in $own })
        $result.assembliesAtFirstGet = @($after | Where-Object { $_ -notin $opened -and $_ -in $own })
    }
    'P2' {
        Import-Module $ModulePath
        # Warm-up on another store, so the timed run does not pay for JIT; then the store is created untimed.
        $null = 1..20 | ForEach-Object { "w$_" } | New-ApiKey -StorePath $WarmStorePath -WarningAction SilentlyContinue
        $null = Get-ApiKey -StorePath $StorePath
        $result.sourceOnlySeconds = Get-Seconds { $null = 1..$Count | ForEach-Object { "k$_" } }
        $result.moduleSeconds = Get-Seconds {
            $null = 1..$Count | ForEach-Object { "k$_" } | New-ApiKey -StorePath $StorePath -WarningAction SilentlyContinue
        }
        $result.created = (Get-ApiKey -StorePath $StorePath | Measure-Object).Count
        $result.n = $Count
    }
    'P3' {
        Import-Module $ModulePath
        $null = Get-ApiKey -Id 1 -StorePath $StorePath
        $null = Get-ApiKey -StorePath $StorePath | Measure-Object   # JIT warm-up
        # The floor: the same number of objects with the same properties, built before timing.
        $keys = @(Get-ApiKey -StorePath $StorePath)
        $result.buildFloorObjectsSeconds = Get-Seconds {
            $script:objects = foreach ($k in $keys) {
                [pscustomobject]@{ Id = $k.Id; Name = $k.Name; CreatedAt = $k.CreatedAt; Allowlist = $k.Allowlist; ExpiresAt = $k.ExpiresAt
                    Revoked = $k.Revoked; RevokedReason = $k.RevokedReason; LastUsedAt = $k.LastUsedAt }
            }
        }
        $store = [ApiKeyModule.ApiKeyStore]::Open($StorePath)
        $get = @(); $getAlone = @(); $floor = @(); $typed = @(); $engine = @()
        # Interleaved, so that the machine's noise falls on the figure and its floor alike.
        for ($round = 0; $round -lt $Rounds; $round++) {
            $get += Get-Seconds { $script:measured = Get-ApiKey -StorePath $StorePath | Measure-Object }
            $floor += Get-Seconds { $null = $objects | Measure-Object }
            $typed += Get-Seconds { $null = $keys | Measure-Object }
            $getAlone += Get-Seconds { $null = Get-ApiKey -StorePath $StorePath }
            $engine += Get-Seconds { $null = $store.List() | Measure-Object }
        }
        $store.Dispose()
        $result.n = $script:measured.Count
        $result.getMeasureSeconds = Get-Median $get
        $result.getMeasureRuns = $get
        $result.floorSeconds = Get-Median $floor
        $result.floorRuns = $floor
        $result.typedPrecomputedSeconds = Get-Median $typed
        $result.getAloneSeconds = Get-Median $getAlone
        $result.engineListThroughPipelineSeconds = Get-Median $engine
    }
    'P4' {
        Import-Module $ModulePath
        $keys = [IO.File]::ReadAllLines($KeyFile)
        $warmUp = [IO.File]::ReadAllLines($WarmKeyFile)
        $null = $warmUp | Test-ApiKey -StorePath $StorePath           # JIT warm-up on other keys
        $result.n = $keys.Count
        $valid = 0
        $result.coldSeconds = Get-Seconds { $script:valid = @($keys | Test-ApiKey -StorePath $StorePath | Where-Object { $_ }).Count }
        $result.coldValid = $script:valid
        $warm = @()
        for ($round = 0; $round -lt 3; $round++) {
            $warm += Get-Seconds { $null = $keys | Test-ApiKey -StorePath $StorePath }
        }
        $result.warmSeconds = Get-Median $warm
        $result.warmRuns = $warm
        # The request-path form: one Test-ApiKey invocation per key (each opens the store).
        $some = $keys[0..999]
        $result.perCallCount = $some.Count
        $result.perCallWarmSeconds = Get-Seconds { foreach ($k in $some) { $null = Test-ApiKey $k -StorePath $StorePath } }
    }
    'P5Lookup' {
        Import-Module $ModulePath
        $random = [Random]::new(7)
        $small = [Collections.Generic.List[double]]::new(); $big = [Collections.Generic.List[double]]::new()
        $watch = [Diagnostics.Stopwatch]::new()
        # Warm-up, then lookups interleaved (small, big, small, ...) so that noise falls on both alike.
        for ($i = 0; $i -lt 100; $i++) {
            $null = Get-ApiKey -Id ($random.Next(1, 1001)) -StorePath $SmallStorePath
            $null = Get-ApiKey -Id ($random.Next(1, $BigKeys + 1)) -StorePath $StorePath
        }
        for ($i = 0; $i -lt $Count; $i++) {
            $id = $random.Next(1, 1001)
            $watch.Restart(); $null = Get-ApiKey -Id $id -StorePath $SmallStorePath; $small.Add($watch.Elapsed.TotalSeconds)
            $id = $random.Next(1, $BigKeys + 1)
            $watch.Restart(); $null = Get-ApiKey -Id $id -StorePath $StorePath; $big.Add($watch.Elapsed.TotalSeconds)
        }
        $result.lookups = $Count
        $result.smallIdMedianSeconds = Get-Median $small
        $result.bigIdMedianSeconds = Get-Median $big
        $result.smallIdMeanSeconds = ($small | Measure-Object -Average).Average
        $result.bigIdMeanSeconds = ($big | Measure-Object -Average).Average
        $nameSmall = @(); $nameBig = @()
        for ($i = 0; $i -lt 3; $i++) { $null = Get-ApiKey -Name 'k12345*' -StorePath $StorePath }
        for ($i = 0; $i -lt 21; $i++) {
            $nameSmall += Get-Seconds { $null = Get-ApiKey -Name 'k12345*' -StorePath $SmallStorePath }
            $nameBig += Get-Seconds { $script:matched = @(Get-ApiKey -Name 'k12345*' -StorePath $StorePath) }
        }
        $result.nameSmallMedianSeconds = Get-Median $nameSmall
        $result.nameBigMedianSeconds = Get-Median $nameBig
        $result.nameBigMatched = $script:matched.Count
        # The same 111 keys by -Id, for comparison: what the prefix search would cost at index speed.
        $ids = [int[]]($script:matched | ForEach-Object Id)
        $byId = @()
        for ($i = 0; $i -lt 21; $i++) { $byId += Get-Seconds { $null = Get-ApiKey -Id $ids -StorePath $StorePath } }
        $result.sameKeysByIdMedianSeconds = Get-Median $byId
    }
    'P5Memory' {
        Import-Module $ModulePath
        $null = Get-ApiKey -Id 1 -StorePath $StorePath
        if ($WarmStorePath) { $null = Get-ApiKey -StorePath $WarmStorePath | Measure-Object }   # JIT the enumeration on a small store
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        # Reset the peak (VmHWM) to the current resident size (Linux: clear_refs 5), so the peak is the enumeration's.
        try { [IO.File]::WriteAllText("/proc/$PID/clear_refs", '5'); $result.peakReset = $true } catch { $result.peakReset = $false }
        $before = Get-ProcMemory
        $heapBefore = [GC]::GetTotalMemory($false)
        $allocatedBefore = [GC]::GetTotalAllocatedBytes($true)
        $gen2Before = [GC]::CollectionCount(2)
        $result.seconds = Get-Seconds { $script:measured = Get-ApiKey -StorePath $StorePath | Measure-Object }
        $after = Get-ProcMemory
        $result.n = $script:measured.Count
        $result.heapAfterBytes = [GC]::GetTotalMemory($false)
        $result.heapBeforeBytes = $heapBefore
        $result.gcHeapAtLastGcBytes = [GC]::GetGCMemoryInfo().HeapSizeBytes
        $result.allocatedBytes = [GC]::GetTotalAllocatedBytes($true) - $allocatedBefore
        $result.gen2Collections = [GC]::CollectionCount(2) - $gen2Before
        if ($before) {
            $result.rssBeforeBytes = $before.VmRSS
            $result.hwmBeforeBytes = $before.VmHWM
            $result.hwmAfterBytes = $after.VmHWM
            $result.peakGrowthBytes = $after.VmHWM - $before.VmRSS
        }
    }
}

$result | ConvertTo-Json -Compress -Depth 4
