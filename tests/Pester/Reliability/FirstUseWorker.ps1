# One process of the first-use test (Load.Tests.ps1): for each round, waits for the round's go file, then
# creates one key on that round's store, which does not exist yet (all processes of the round race to create it).
# Prints "FAILED <round> <ErrorId>: <message>" for every error, and writes done-<round>-<index> after each round.
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $WorkDir,
    [Parameter(Mandatory)] [int] $Index,
    [Parameter(Mandatory)] [int] $Rounds
)
$ErrorActionPreference = 'Continue'
Import-Module $Module

# Warm up on a store of its own, so that each round measures only the first use of the shared store.
$null = New-ApiKey -StorePath (Join-Path $WorkDir "warm-$Index.db") -Name 'warm' -Allowlist @{ method = 'GET'; resource = '/x' }
$null = New-Item -ItemType File -Path (Join-Path $WorkDir "ready-$Index")
for ($round = 1; $round -le $Rounds; $round++) {
    $go = Join-Path $WorkDir "go-$round"
    $deadline = [DateTime]::UtcNow.AddMinutes(3)
    while (-not [IO.File]::Exists($go)) {
        if ([DateTime]::UtcNow -gt $deadline) { exit 3 }
    }
    try {
        $null = New-ApiKey -StorePath (Join-Path $WorkDir "store-$round.db") -Name "p$Index" -Allowlist @{ method = 'GET'; resource = '/x' } -ErrorAction Stop
    }
    catch {
        [Console]::Out.WriteLine("FAILED $round $($_.FullyQualifiedErrorId): $($_.Exception.Message)")
    }
    $null = New-Item -ItemType File -Path (Join-Path $WorkDir "done-$round-$Index")
}
exit 0
