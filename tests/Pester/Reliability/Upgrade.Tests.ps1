# A store written by the first schema version opens with today's module; its keys still verify, its data
# is intact, and it is brought to the current schema version. The store is built here from the first version's DDL,
# pinned below as a literal (copied from src/ApiKeyModule.Engine/StoreSchema.cs, version 1): a later change of that
# file must not change what this test calls version 1.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    $script:version1Ddl = @'
CREATE TABLE api_keys (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                name           TEXT    NOT NULL,
                name_folded    TEXT    NOT NULL UNIQUE,
                created_at     INTEGER NOT NULL,
                allowlist      TEXT    NOT NULL,
                key_hash       BLOB    NOT NULL,
                hash_algorithm TEXT    NOT NULL
            );
'@

    # A 64-character secret of [A-Za-z0-9], as the module issues them.
    function New-Secret {
        $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
        -join (1..64 | ForEach-Object { $alphabet[[Security.Cryptography.RandomNumberGenerator]::GetInt32($alphabet.Length)] })
    }

    # Writes a version-1 store as the first module did: the DDL, user_version 1, WAL mode (or the journal mode given),
    # and the keys: name, name_folded (upper-invariant), created_at (Unix ms), the allowlist as "METHOD resource" lines
    # joined by "\n", key_hash = SHA-256 of the secret's ASCII bytes (a BLOB), hash_algorithm 'sha256'.
    function New-Version1Store([string] $Path, [object[]] $Keys, [string] $JournalMode) {
        $connection = New-StoreConnection $Path
        try {
            $command = $connection.CreateCommand()
            $command.CommandText = "PRAGMA journal_mode = $JournalMode"
            $null = $command.ExecuteScalar()
            $command.CommandText = $version1Ddl + "`nPRAGMA user_version = 1;"
            $null = $command.ExecuteNonQuery()
            foreach ($key in $Keys) {
                $insert = $connection.CreateCommand()
                $insert.CommandText = 'INSERT INTO api_keys (id, name, name_folded, created_at, allowlist, key_hash, hash_algorithm) VALUES ($id, $name, $folded, $created, $allowlist, $hash, $algorithm)'
                $null = $insert.Parameters.AddWithValue('$id', $key.Id)
                $null = $insert.Parameters.AddWithValue('$name', $key.Name)
                $null = $insert.Parameters.AddWithValue('$folded', $key.Name.ToUpperInvariant())
                $null = $insert.Parameters.AddWithValue('$created', $key.CreatedAt.ToUnixTimeMilliseconds())
                $null = $insert.Parameters.AddWithValue('$allowlist', (@($key.Allowlist | ForEach-Object { "$($_[0]) $($_[1])" }) -join "`n"))
                $null = $insert.Parameters.AddWithValue('$hash', [byte[]](Get-SecretHash $key.Secret))
                $null = $insert.Parameters.AddWithValue('$algorithm', 'sha256')
                $null = $insert.ExecuteNonQuery()
                $insert.Dispose()
            }
            $command.Dispose()
        }
        finally {
            $connection.Dispose()
        }
    }

    # The version a store created by today's module has.
    $fresh = New-TestStorePath $TestDrive
    [ApiKeyModule.ApiKeyStore]::Open($fresh).Dispose()
    $script:currentVersion = [int](Invoke-StoreScalar $fresh 'PRAGMA user_version')
}

Describe 'Upgrades — a version-1 store (<JournalMode> journal) opens with today''s module' -Tag File -ForEach @(
    @{ JournalMode = 'WAL' }
    @{ JournalMode = 'DELETE' }
) {
    BeforeAll {
        $store = New-TestStorePath $TestDrive
        $keys = @(
            [pscustomobject]@{ Id = 1; Name = 'backup-server'; CreatedAt = [DateTimeOffset]::new(2024, 3, 1, 8, 30, 15, 123, [TimeSpan]::Zero); Allowlist = @(, @('CALL', 'system.info')); Secret = New-Secret }
            [pscustomobject]@{ Id = 2; Name = 'Monitoring Ünit'; CreatedAt = [DateTimeOffset]::new(2024, 6, 30, 23, 59, 59, 999, [TimeSpan]::Zero); Allowlist = @(@('GET', '/pool'), @('POST', '/pool/*'), @('*', 'disk.*_info')); Secret = New-Secret }
            [pscustomobject]@{ Id = 5; Name = 'no-access'; CreatedAt = [DateTimeOffset]::new(2025, 1, 2, 3, 4, 5, 6, [TimeSpan]::Zero); Allowlist = @(); Secret = New-Secret }
        )
        New-Version1Store $store $keys $JournalMode
        $hashesBefore = @(Invoke-StoreRows $store 'SELECT id, key_hash FROM api_keys ORDER BY id' | ForEach-Object { "$($_.id):$([Convert]::ToHexString($_.key_hash))" })
        Invoke-StoreScalar $store 'PRAGMA user_version' | Should -Be 1
        # Today's module opens it (reading is enough to bring it up to date).
        $listed = @(Get-ApiKey -StorePath $store)
    }

    It 'lists its keys with their names, creation times and allowlists intact' {
        $listed.Count | Should -Be 3
        foreach ($key in $keys) {
            $got = $listed | Where-Object Id -EQ $key.Id
            $got | Should -Not -BeNullOrEmpty -Because "key $($key.Id) must survive the upgrade"
            $got.Name | Should -BeExactly $key.Name
            $got.CreatedAt.Kind | Should -Be 'Utc'
            $got.CreatedAt | Should -Be $key.CreatedAt.UtcDateTime
            @($got.Allowlist | ForEach-Object { "$($_.Method) $($_.Resource)" }) | Should -Be @($key.Allowlist | ForEach-Object { "$($_[0]) $($_[1])" })
            $got.ExpiresAt | Should -BeNullOrEmpty
            $got.Revoked | Should -BeFalse
            $got.LastUsedAt | Should -BeNullOrEmpty
        }
        # Names stay unique ignoring case, and are found as before.
        (Get-ApiKey -StorePath $store -Name 'MONITORING ünit').Id | Should -Be 2
    }

    It 'is at the current schema version afterwards, with its key hashes unchanged' {
        $currentVersion | Should -BeGreaterThan 1
        Invoke-StoreScalar $store 'PRAGMA user_version' | Should -Be $currentVersion
        Invoke-StoreScalar $store 'PRAGMA integrity_check' | Should -Be 'ok'
        Invoke-StoreScalar $store 'PRAGMA journal_mode' | Should -Be 'wal'
        @(Invoke-StoreRows $store 'SELECT id, key_hash FROM api_keys ORDER BY id' | ForEach-Object { "$($_.id):$([Convert]::ToHexString($_.key_hash))" }) | Should -Be $hashesBefore
        Invoke-StoreScalar $store "SELECT count(*) FROM api_keys WHERE hash_algorithm IS NOT 'sha256'" | Should -Be 0
    }

    It 'verifies its keys (given as id-secret), and their allowlists still decide' {
        foreach ($key in $keys) {
            $verdict = Test-ApiKey -StorePath $store -Key "$($key.Id)-$($key.Secret)" -Detailed
            "$($verdict.Code)" | Should -Be 'Valid' -Because "the key of '$($key.Name)' was issued before the upgrade"
            $verdict.Id | Should -Be $key.Id
            $verdict.Name | Should -BeExactly $key.Name
        }
        (Test-ApiKey -StorePath $store -Key "1-$($keys[0].Secret)" -Method CALL -Resource 'system.info' -Detailed).Code | Should -Be 'Valid'
        (Test-ApiKey -StorePath $store -Key "2-$($keys[1].Secret)" -Method CALL -Resource 'disk.ssd_info' -Detailed).Code | Should -Be 'Valid'
        (Test-ApiKey -StorePath $store -Key "2-$($keys[1].Secret)" -Method PUT -Resource '/pool' -Detailed).Code | Should -Be 'Forbidden'
        (Test-ApiKey -StorePath $store -Key "5-$($keys[2].Secret)" -Method GET -Resource '/x' -Detailed).Code | Should -Be 'Forbidden'
        (Test-ApiKey -StorePath $store -Key "1-$($keys[1].Secret)" -Detailed).Code | Should -Be 'NotFound'
        (Get-ApiKey -StorePath $store -Id 1).LastUsedAt | Should -Not -BeNullOrEmpty
    }

    It 'takes new keys, changes and an audit log after the upgrade (ids go on after the highest id ever used)' {
        $new = New-ApiKey -StorePath $store -Name 'after-upgrade' -Allowlist @{ method = 'GET'; resource = '/new' }
        $new.Id | Should -BeGreaterThan 5
        $reset = Set-ApiKey -StorePath $store -Id 1 -Reset
        (Test-ApiKey -StorePath $store -Key "1-$($keys[0].Secret)" -Detailed).Code | Should -Be 'NotFound'
        (Test-ApiKey -StorePath $store -Key $reset.Key -Detailed).Code | Should -Be 'Valid'
        { New-ApiKey -StorePath $store -Name 'BACKUP-SERVER' -ErrorAction Stop } | Should -Throw -ErrorId 'DuplicateName,*'
        @(Get-ApiKeyAuditLog -StorePath $store | ForEach-Object Action) | Should -Contain 'Create'
        @(Get-ApiKeyAuditLog -StorePath $store | ForEach-Object Action) | Should -Contain 'Reset'
    }
}
