# The client of the server-stop test (PostgresReliability.Tests.ps1): creates keys one at a time on $Store until the
# stop file exists. After each create that returned it appends "<id> <name> <key>" to $OutFile (one flushed write);
# after each failure "FAILED <name> <ErrorId>". Writes the ready file after its first key.
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Store,
    [Parameter(Mandatory)] [string] $OutFile,
    [Parameter(Mandatory)] [string] $ReadyFile,
    [Parameter(Mandatory)] [string] $StopFile
)
$ErrorActionPreference = 'Stop'
Import-Module $Module

$out = [IO.FileStream]::new($OutFile, 'Append', 'Write', 'ReadWrite')
function Write-Line([string] $Line) {
    $bytes = [Text.Encoding]::ASCII.GetBytes($Line + "`n")
    $out.Write($bytes, 0, $bytes.Length)
    $out.Flush()
}

$deadline = [DateTime]::UtcNow.AddMinutes(3)
for ($n = 1; -not [IO.File]::Exists($StopFile) -and [DateTime]::UtcNow -lt $deadline; $n++) {
    try {
        $key = New-ApiKey -StorePath $Store -Name "s-$n" -Allowlist @{ method = 'GET'; resource = "/s/$n" }
        Write-Line "$($key.Id) $($key.Name) $($key.Key)"
        if ($n -eq 1) { $null = New-Item -ItemType File -Path $ReadyFile }
    }
    catch {
        Write-Line "FAILED s-$n $($_.FullyQualifiedErrorId)"
        Start-Sleep -Milliseconds 50
    }
}
