# Copy-ApiKeyStore end to end: SQLite to SQLite, a store in use, a refused destination, and SQLite -> PostgreSQL -> SQLite.
BeforeDiscovery {
    $script:skipPostgres = if (-not $env:APIKEYMODULE_TEST_POSTGRES) { 'no PostgreSQL server: the test command starts one and sets APIKEYMODULE_TEST_POSTGRES' }
}

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # Everything of a store's keys and audit log that a copy keeps, as one string.
    function Get-StoreContent([string] $Store) {
        $keys = @(Get-ApiKey -StorePath $Store | Select-Object Id, Name, CreatedAt, @{ n = 'Allowlist'; e = { Format-Allowlist $_ } }, ExpiresAt, Revoked, RevokedReason, LastUsedAt)
        $log = @(Get-ApiKeyAuditLog -StorePath $Store | Where-Object Action -ne 'Copy' |
                Select-Object Id, Time, Action, KeyId, KeyName, OldValue, NewValue, Details, User, Host, ProcessId)
        ConvertTo-Json -Depth 5 -Compress @{ Keys = $keys; Log = $log }
    }
}

Describe 'Copy-ApiKeyStore between store files' -Tag File {
    BeforeEach {
        $source = New-TestStorePath $TestDrive
        $kept = New-ApiKey -StorePath $source -Name 'kept' -Allowlist @{ method = 'CALL'; resource = 'system.info' } -ExpiresAt (Get-Date).AddDays(10)
        $revoked = New-ApiKey -StorePath $source -Name 'revoked' -Allowlist @{ method = 'GET'; resource = '/pool/*' }
        Revoke-ApiKey -StorePath $source -Id $revoked.Id -Reason 'rotated'
        Test-ApiKey -StorePath $source -Key $kept.Key | Should -BeTrue
    }

    It 'copies keys that keep working, and the audit log, into a new file' {
        $destination = New-TestStorePath $TestDrive
        $copy = Copy-ApiKeyStore -StorePath $source -Destination $destination -Confirm:$false
        $copy | Should -BeOfType ([ApiKeyModule.ApiKeyStoreCopy])
        $copy.Keys | Should -Be 2
        $copy.AuditEntries | Should -Be @(Get-ApiKeyAuditLog -StorePath $source).Count
        $copy.Destination | Should -Be $destination
        Get-StoreContent $destination | Should -Be (Get-StoreContent $source)
        Test-ApiKey -StorePath $destination -Key $kept.Key -Method CALL -Resource system.info | Should -BeTrue
        (Test-ApiKey -StorePath $destination -Key $revoked.Key -Detailed).Code | Should -Be 'Revoked'
        (Get-ApiKey -StorePath $destination -Name kept).StoreId | Should -Not -Be (Get-ApiKey -StorePath $source -Name kept).StoreId
        $entry = Get-ApiKeyAuditLog -StorePath $destination | Where-Object Action -eq 'Copy'
        $entry.Details | Should -BeLike "Copied from '$source'*: 2 keys and $($copy.AuditEntries) audit entries."
    }

    It 'resolves a relative destination against the current location' {
        Push-Location $TestDrive
        try {
            $copy = Copy-ApiKeyStore -StorePath $source -Destination 'relative-copy.db' -Confirm:$false
        }
        finally {
            Pop-Location
        }
        $copy.Destination | Should -Be (Join-Path $TestDrive 'relative-copy.db')
        Join-Path $TestDrive 'relative-copy.db' | Should -Exist
    }

    It 'changes nothing with -WhatIf' {
        $destination = New-TestStorePath $TestDrive
        $before = Get-StoreContent $source
        Copy-ApiKeyStore -StorePath $source -Destination $destination -WhatIf | Should -BeNullOrEmpty
        $destination | Should -Not -Exist
        Get-StoreContent $source | Should -Be $before
    }

    It 'refuses a destination that holds keys, and leaves it unchanged' {
        $destination = New-TestStorePath $TestDrive
        $null = New-ApiKey -StorePath $destination -Name 'theirs' -WarningAction Ignore
        $before = Get-StoreContent $destination
        $errors = Get-ErrorRecord { Copy-ApiKeyStore -StorePath $source -Destination $destination -Confirm:$false }
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'DestinationNotEmpty,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $errors[0].Exception.Message | Should -Match 'Nothing was written'
        Get-StoreContent $destination | Should -Be $before
    }

    It 'refuses a source file that does not exist, and creates neither store' {
        $missing = New-TestStorePath $TestDrive
        $destination = New-TestStorePath $TestDrive
        $errors = Get-ErrorRecord { Copy-ApiKeyStore -StorePath $missing -Destination $destination -Confirm:$false }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'SourceStoreNotFound,*'
        $missing | Should -Not -Exist
        $destination | Should -Not -Exist
    }

    It 'refuses to copy a store into itself' {
        $errors = Get-ErrorRecord { Copy-ApiKeyStore -StorePath $source -Destination $source -Confirm:$false }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'DestinationIsSource,*'
    }
}

Describe 'Copy-ApiKeyStore of a store another process is writing' -Tag File {
    It 'makes a sound copy holding exactly the keys its audit log created' {
        $source = New-TestStorePath $TestDrive
        $null = New-ApiKey -StorePath $source -Name 'first' -WarningAction Ignore
        $stop = Join-Path $TestDrive "stop-$([guid]::NewGuid())"
        $writer = Start-ChildPwsh @"
`$i = 0
while (-not (Test-Path $(ConvertTo-PSLiteral $stop))) {
    `$i++
    `$key = New-ApiKey -StorePath $(ConvertTo-PSLiteral $source) -Name "busy-`$i"
    if (`$i % 3 -eq 0) { Revoke-ApiKey -StorePath $(ConvertTo-PSLiteral $source) -Id `$key.Id }
}
"@
        try {
            # Copy while the child is writing (it has written some keys first).
            while (@(Get-ApiKey -StorePath $source).Count -lt 20) { Start-Sleep -Milliseconds 50 }
            $copies = foreach ($n in 1..3) { Copy-ApiKeyStore -StorePath $source -Destination (New-TestStorePath $TestDrive) -Confirm:$false }
        }
        finally {
            $null = New-Item -ItemType File -Path $stop
            $null = Wait-ChildPwsh $writer
        }
        foreach ($copy in $copies) {
            Invoke-StoreScalar $copy.Destination 'PRAGMA integrity_check' | Should -Be 'ok'
            $keys = @(Get-ApiKey -StorePath $copy.Destination)
            $log = @(Get-ApiKeyAuditLog -StorePath $copy.Destination)
            $keys.Count | Should -Be $copy.Keys
            $keys.Count | Should -Be @($log | Where-Object Action -eq 'Create').Count
            $keys.Count | Should -BeGreaterOrEqual 20
            @($keys | Where-Object Revoked).Count | Should -Be @($log | Where-Object Action -eq 'Revoke').Count
        }
        @(Get-ApiKey -StorePath $source).Count | Should -BeGreaterThan $copies[0].Keys
    }
}

Describe 'Copy-ApiKeyStore between SQLite and PostgreSQL' -Tag Server -Skip:([bool]$skipPostgres) {
    It 'copies a file into PostgreSQL and back into a file, keys working at every step' {
        $source = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $source -Name 'travels' -Allowlist @{ method = 'CALL'; resource = 'pool.*' }
        Revoke-ApiKey -StorePath $source -Id (New-ApiKey -StorePath $source -Name 'revoked').Id -Reason 'old'
        $server = "$($env:APIKEYMODULE_TEST_POSTGRES);Schema=t_$([guid]::NewGuid().ToString('N'))"
        $password = ($env:APIKEYMODULE_TEST_POSTGRES -split ';' | Where-Object { $_ -like 'Password=*' }) -replace '^Password=', ''
        $toPostgres = Copy-ApiKeyStore -StorePath $source -Destination $server -Confirm:$false
        $toPostgres.Destination | Should -Not -Match ([regex]::Escape($password))
        Get-StoreContent $server | Should -Be (Get-StoreContent $source)
        # Records a last use, which the copy back must carry too.
        Test-ApiKey -ConnectionString $server -Key $key.Key -Method CALL -Resource pool.query | Should -BeTrue

        $back = New-TestStorePath $TestDrive
        $fromPostgres = Copy-ApiKeyStore -ConnectionString $server -Destination $back -Confirm:$false
        $fromPostgres.Source | Should -Not -Match ([regex]::Escape($password))
        (Get-ApiKey -ConnectionString $server -Name travels).LastUsedAt | Should -Not -BeNullOrEmpty
        Get-StoreContent $back | Should -Be (Get-StoreContent $server)
        Test-ApiKey -StorePath $back -Key $key.Key -Method CALL -Resource pool.query | Should -BeTrue
        $copyEntries = @(Get-ApiKeyAuditLog -StorePath $back | Where-Object Action -eq 'Copy')
        $copyEntries.Count | Should -Be 2
        ($copyEntries.Details -join "`n") | Should -Not -Match ([regex]::Escape($password))
        (New-ApiKey -StorePath $back -Name 'next').Id | Should -BeGreaterThan 2
    }

    It 'refuses a PostgreSQL destination that holds keys' {
        $source = New-TestStorePath $TestDrive
        $null = New-ApiKey -StorePath $source -Name 'mine'
        $server = "$($env:APIKEYMODULE_TEST_POSTGRES);Schema=t_$([guid]::NewGuid().ToString('N'))"
        $null = New-ApiKey -ConnectionString $server -Name 'theirs'
        $errors = Get-ErrorRecord { Copy-ApiKeyStore -StorePath $source -Destination $server -Confirm:$false }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'DestinationNotEmpty,*'
        (Get-ApiKey -ConnectionString $server).Name | Should -Be 'theirs'
    }
}
