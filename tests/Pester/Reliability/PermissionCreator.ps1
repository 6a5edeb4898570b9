# The creator of the permission test (Secrets.Tests.ps1), started with a permissive umask (000): once the watcher
# is ready it creates the stores $Base/f<i>/keys.db one after the other (folder and file both new), uses each (a key
# created and reset, so the -wal and -shm files exist too), then writes $DoneFile.
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Base,
    [Parameter(Mandatory)] [int] $Count,
    [Parameter(Mandatory)] [string] $ReadyFile,
    [Parameter(Mandatory)] [string] $DoneFile
)
$ErrorActionPreference = 'Stop'
Import-Module $Module
# Warm up elsewhere, so that the stores are created at full speed.
$null = New-ApiKey -StorePath ([IO.Path]::ChangeExtension($DoneFile, '.warm.db')) -Name 'warm' -Allowlist @{ method = 'GET'; resource = '/x' }
$deadline = [DateTime]::UtcNow.AddMinutes(3)
while (-not [IO.File]::Exists($ReadyFile)) {
    if ([DateTime]::UtcNow -gt $deadline) { exit 3 }
    Start-Sleep -Milliseconds 5
}
for ($i = 0; $i -lt $Count; $i++) {
    $store = Join-Path $Base "f$i/keys.db"
    $key = New-ApiKey -StorePath $store -Name "k$i" -Allowlist @{ method = 'GET'; resource = '/x' }
    $null = Set-ApiKey -StorePath $store -Id $key.Id -Reset
    Start-Sleep -Milliseconds 5
}
$null = New-Item -ItemType File -Path $DoneFile
exit 0
