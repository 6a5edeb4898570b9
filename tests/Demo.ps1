# The round trip of build.ps1 -Task Demo (create, get, update, reset, delete), on a new store in a temporary folder:
# never on the user's own store. Takes the path of the module's manifest.
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$folder = Join-Path ([IO.Path]::GetTempPath()) "apikeymodule-demo-$([guid]::NewGuid().ToString('N'))"
$env:APIKEYMODULE_STORE = Join-Path $folder 'apikeys.db'
Write-Host "== The demo uses a store of its own: $env:APIKEYMODULE_STORE (your store is not touched)"
try {
    $name = "demo-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    Write-Host "== New-ApiKey: create '$name' with an allowlist (the key is shown only now)"
    $key = New-ApiKey -Name $name -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' } -Verbose
    $key | Format-List
    Write-Host '== Get-ApiKey: every key in the store'
    Get-ApiKey | Format-Table
    Write-Host "== Set-ApiKey: rename, give a YAML allowlist, then reset"
    Set-ApiKey -Id $key.Id -Name "$name-renamed" -Allowlist "- method: SUBSCRIBE`n  resource: certificate.query" -PassThru | Format-Table
    $reset = Get-ApiKey -Id $key.Id | Set-ApiKey -Reset
    Write-Host "New key issued: $($reset.Key.Substring(0, 8))... (the old one no longer matches the stored hash)"
    Write-Host '== Remove-ApiKey'
    Get-ApiKey -Name "$name*" | Remove-ApiKey
    Write-Host "Keys named $name* left: $(@(Get-ApiKey -Name "$name*").Count)"
}
finally {
    Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction Ignore
    Write-Host "== Removed the demo store $folder"
}
