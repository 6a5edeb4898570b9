# Holds the write lock of a store (BEGIN IMMEDIATE, nothing written) for the bad-input test (BadInput.Tests.ps1):
# another writer, from another process, that keeps the store locked longer than the module's busy timeout. Writes
# $LockedFile once it holds the lock, and rolls back and exits when $ReleaseFile appears (or after 3 minutes).
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Store,
    [Parameter(Mandatory)] [string] $LockedFile,
    [Parameter(Mandatory)] [string] $ReleaseFile
)
$ErrorActionPreference = 'Stop'
Import-Module $Module
# Loads SQLite's native library through the module's engine (on a store of its own), so its Microsoft.Data.Sqlite works here.
[ApiKeyModule.ApiKeyStore]::Open([IO.Path]::ChangeExtension($LockedFile, '.warm.db')).Dispose()

# The module keeps Microsoft.Data.Sqlite in a private load context, where PowerShell does not look up type names:
# its types are taken from the loaded assembly.
$sqlite = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' } | Select-Object -First 1
$builder = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnectionStringBuilder', $true)::new()
$builder.DataSource = $Store
$builder.Pooling = $false
$connection = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection', $true)::new($builder.ToString())
$connection.Open()
$command = $connection.CreateCommand()
$command.CommandText = 'BEGIN IMMEDIATE'
$null = $command.ExecuteNonQuery()
$null = New-Item -ItemType File -Path $LockedFile
$deadline = [DateTime]::UtcNow.AddMinutes(3)
while (-not [IO.File]::Exists($ReleaseFile) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
$command.CommandText = 'ROLLBACK'
$null = $command.ExecuteNonQuery()
$connection.Dispose()
exit 0
