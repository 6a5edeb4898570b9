# The process that the crash test (Crash.Tests.ps1) kills with SIGKILL. It imports the module and warms up on a
# store of its own ($WarmStore, of the same kind as $Store), writes the ready file, waits for the go file, then changes the store in a loop until it is killed,
# appending one line to $OutFile after each change has returned (one write of the whole line, flushed at once):
#   Create  a pipeline of New-ApiKey: "<id> <name> <key>" per key (names "<Tag>-<n>", allowlist "GET /c/<name>")
#   Reset   Set-ApiKey -Id $Id -Reset again and again: "<key>" per new key
#   Delete  Remove-ApiKey on the ids $FirstId (default: the lowest id in the store when it gets the go file),
#           $FirstId+1, ... $LastId one by one: "<id>" per deleted key
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Store,
    [Parameter(Mandatory)] [ValidateSet('Create', 'Reset', 'Delete')] [string] $Mode,
    [Parameter(Mandatory)] [string] $OutFile,
    [Parameter(Mandatory)] [string] $ReadyFile,
    [Parameter(Mandatory)] [string] $GoFile,
    [Parameter(Mandatory)] [string] $WarmStore,
    [string] $Tag = 'k',
    [int] $Id,
    [int] $FirstId,
    [int] $LastId
)
$ErrorActionPreference = 'Stop'
Import-Module $Module

$out = [IO.FileStream]::new($OutFile, 'Append', 'Write', 'ReadWrite')
function Write-Line([string] $Line) {
    $bytes = [Text.Encoding]::ASCII.GetBytes($Line + "`n")
    $out.Write($bytes, 0, $bytes.Length)
    $out.Flush()
}

$null = New-ApiKey -StorePath $WarmStore -Name 'warm' -Allowlist @{ method = 'GET'; resource = '/x' } | Set-ApiKey -StorePath $WarmStore -Reset
$null = New-Item -ItemType File -Path $ReadyFile
# A worker whose test has gone (it failed, or was stopped) gives up instead of waiting for ever.
$deadline = [DateTime]::UtcNow.AddMinutes(3)
while (-not [IO.File]::Exists($GoFile)) {
    if ([DateTime]::UtcNow -gt $deadline) { exit 3 }
    Start-Sleep -Milliseconds 1
}

switch ($Mode) {
    'Create' {
        & { for ($n = 1; ; $n++) { "$Tag-$n" } } |
            ForEach-Object { [pscustomobject]@{ Name = $_; Allowlist = "- method: GET`n  resource: /c/$_" } } |
            New-ApiKey -StorePath $Store |
            ForEach-Object { Write-Line "$($_.Id) $($_.Name) $($_.Key)" }
    }
    'Reset' {
        while ($true) {
            $key = Set-ApiKey -StorePath $Store -Id $Id -Reset
            Write-Line $key.Key
        }
    }
    'Delete' {
        if ($FirstId -eq 0) { $FirstId = (Get-ApiKey -StorePath $Store | Select-Object -First 1).Id }
        for ($next = $FirstId; $next -le $LastId; $next++) {
            Remove-ApiKey -StorePath $Store -Id $next -Confirm:$false
            Write-Line "$next"
        }
        # Nothing left to delete: wait to be killed.
        Start-Sleep -Seconds 120
    }
}
