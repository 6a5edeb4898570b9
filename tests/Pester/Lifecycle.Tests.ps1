# A key's life after creation: expiry, revocation, reset (which un-revokes) and the record of its last use.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # A time as the store keeps it: UTC, to the millisecond.
    function ConvertTo-StoredTime([datetime] $Time) {
        $utc = $Time.ToUniversalTime()
        [datetime]::new($utc.Ticks - $utc.Ticks % [TimeSpan]::TicksPerMillisecond, [DateTimeKind]::Utc)
    }

    # Everything a key shows, including the new fields, to compare a store before and after a command.
    function Get-FullSnapshot([string] $StorePath) {
        @(Get-ApiKey -StorePath $StorePath) | ForEach-Object {
            '{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}' -f $_.Id, $_.Name, $_.CreatedAt.ToString('o'), (Format-Allowlist $_),
                $(if ($_.ExpiresAt) { $_.ExpiresAt.ToString('o') }), $_.Revoked, $_.RevokedReason, $(if ($_.LastUsedAt) { $_.LastUsedAt.ToString('o') })
        } | Join-String -Separator "`n"
    }
}

Describe 'New fields of a key' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
    }

    It 'a new key never expires, is not revoked and was never used' {
        $issued = New-ApiKey -StorePath $store -Name 'fresh' -Allowlist @{ method = 'GET'; resource = '/' }
        foreach ($key in $issued, (Get-ApiKey -StorePath $store -Id $issued.Id)) {
            $key.PSObject.Properties.Name | Should -Contain 'ExpiresAt'
            $key.ExpiresAt | Should -BeNullOrEmpty
            $key.Revoked | Should -BeOfType [bool]
            $key.Revoked | Should -BeFalse
            $key.RevokedReason | Should -BeNullOrEmpty
            $key.PSObject.Properties.Name | Should -Contain 'LastUsedAt'
            $key.LastUsedAt | Should -BeNullOrEmpty
        }
    }
}

Describe 'Expiry' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
    }

    Context 'New-ApiKey -ExpiresAt' {
        It 'stores the expiry as UTC, to the millisecond, given as <Case>' -ForEach @(
            @{ Case = 'a local time'; Make = { (Get-Date).AddDays(30) } }
            @{ Case = 'a UTC time'; Make = { [datetime]::UtcNow.AddHours(5) } }
            @{ Case = 'an unspecified-kind time (taken as local)'; Make = { [datetime]::SpecifyKind((Get-Date).AddDays(2), 'Unspecified') } }
        ) {
            $expiresAt = & $Make
            $expected = if ($expiresAt.Kind -eq 'Utc') { ConvertTo-StoredTime $expiresAt } else { ConvertTo-StoredTime ([datetime]::SpecifyKind($expiresAt, 'Local')) }
            $issued = New-ApiKey -StorePath $store -Name 'expiring' -Allowlist @{ method = 'GET'; resource = '/' } -ExpiresAt $expiresAt
            foreach ($key in $issued, (Get-ApiKey -StorePath $store -Id $issued.Id)) {
                $key.ExpiresAt | Should -BeOfType [datetime]
                $key.ExpiresAt.Kind | Should -Be 'Utc'
                $key.ExpiresAt | Should -Be $expected
            }
            (Test-ApiKey -StorePath $store -Key $issued.Key -Detailed).Code | Should -Be 'Valid'
        }

        It 'writes ExpirationInPast (InvalidArgument) for <Case>, and creates nothing' -ForEach @(
            @{ Case = 'yesterday'; Make = { (Get-Date).AddDays(-1) } }
            @{ Case = 'a second ago (UTC)'; Make = { [datetime]::UtcNow.AddSeconds(-1) } }
            @{ Case = 'the year 2000'; Make = { [datetime]'2000-01-01' } }
        ) {
            Add-SeedKeys $store | Out-Null
            $before = Get-FullSnapshot $store
            $records = Get-ErrorRecord { New-ApiKey -StorePath $store -Name 'late' -Allowlist @{ method = 'GET'; resource = '/' } -ExpiresAt (& $Make) }
            @($records).Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -BeLike 'ExpirationInPast,*'
            $records[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $records[0].Exception.Message | Should -BeLike 'Expiration date is in the past*'
            Get-FullSnapshot $store | Should -BeExactly $before
            Get-ApiKey -StorePath $store -Name 'late' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'goes on with the next piped item after an ExpirationInPast' {
            $err = $null
            $issued = 'a', 'b' | New-ApiKey -StorePath $store -ExpiresAt (Get-Date).AddDays(-1) -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $issued | Should -BeNullOrEmpty
            @($err).Count | Should -Be 2
            $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ExpirationInPast,*' }
        }
    }

    Context 'Set-ApiKey -ExpiresAt / -NeverExpires' {
        BeforeEach {
            $key = New-ApiKey -StorePath $store -Name 'target' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
        }

        It 'sets an expiry and keeps the rest of the key' {
            $expiresAt = (Get-Date).AddDays(90)
            $output = Set-ApiKey -StorePath $store -Id $key.Id -ExpiresAt $expiresAt
            $output | Should -BeNullOrEmpty
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.ExpiresAt | Should -Be (ConvertTo-StoredTime $expiresAt)
            $got.ExpiresAt.Kind | Should -Be 'Utc'
            $got.Name | Should -BeExactly 'target'
            Format-Allowlist $got | Should -BeExactly 'CALL system.info'
            (Test-ApiKey -StorePath $store -Key $key.Key -Detailed).Code | Should -Be 'Valid'
        }

        It 'writes the updated key with -PassThru' {
            $expiresAt = [datetime]::UtcNow.AddDays(1)
            $output = Set-ApiKey -StorePath $store -Id $key.Id -ExpiresAt $expiresAt -PassThru
            $output.GetType().FullName | Should -Be 'ApiKeyModule.ApiKey'
            $output.ExpiresAt | Should -Be (ConvertTo-StoredTime $expiresAt)
        }

        It 'removes the expiry with -NeverExpires' {
            Set-ApiKey -StorePath $store -Id $key.Id -ExpiresAt (Get-Date).AddDays(1)
            Set-ApiKey -StorePath $store -Id $key.Id -NeverExpires
            (Get-ApiKey -StorePath $store -Id $key.Id).ExpiresAt | Should -BeNullOrEmpty
        }

        It 'keeps the expiry through a rename and a reset' {
            $expiresAt = (Get-Date).AddDays(7)
            Set-ApiKey -StorePath $store -Id $key.Id -ExpiresAt $expiresAt
            Set-ApiKey -StorePath $store -Id $key.Id -Name 'renamed'
            $reset = Set-ApiKey -StorePath $store -Id $key.Id -Reset
            $reset.ExpiresAt | Should -Be (ConvertTo-StoredTime $expiresAt)
            (Get-ApiKey -StorePath $store -Id $key.Id).ExpiresAt | Should -Be (ConvertTo-StoredTime $expiresAt)
        }

        It 'throws a terminating ConflictingExpiry (InvalidArgument) error with both, and changes nothing' {
            $before = Get-FullSnapshot $store
            $thrown = { Set-ApiKey -StorePath $store -Id $key.Id -ExpiresAt (Get-Date).AddDays(1) -NeverExpires -ErrorAction SilentlyContinue } |
                Should -Throw -ErrorId 'ConflictingExpiry,*' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            Get-FullSnapshot $store | Should -BeExactly $before
        }

        It 'throws a terminating ExpirationInPast (InvalidArgument) error for a past date, and changes nothing' {
            Set-ApiKey -StorePath $store -Id $key.Id -ExpiresAt (Get-Date).AddDays(1)
            $before = Get-FullSnapshot $store
            $thrown = { Set-ApiKey -StorePath $store -Id $key.Id -ExpiresAt (Get-Date).AddMinutes(-5) -Name 'not-applied' -ErrorAction SilentlyContinue } |
                Should -Throw -ErrorId 'ExpirationInPast,*' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -BeLike 'Expiration date is in the past*'
            Get-FullSnapshot $store | Should -BeExactly $before
        }

        It 'changes nothing with -WhatIf (<Case>)' -ForEach @(
            @{ Case = '-ExpiresAt'; Arguments = @{ ExpiresAt = [datetime]::UtcNow.AddDays(3) } }
            @{ Case = '-NeverExpires'; Arguments = @{ NeverExpires = $true } }
        ) {
            Set-ApiKey -StorePath $store -Id $key.Id -ExpiresAt (Get-Date).AddDays(1)
            $before = Get-FullSnapshot $store
            Set-ApiKey -StorePath $store -Id $key.Id @Arguments -WhatIf | Should -BeNullOrEmpty
            Get-FullSnapshot $store | Should -BeExactly $before
        }
    }

    Context 'a key past its expiry' {
        # One short wait for every test of this context: each test gets its own store with a key that expires in
        # 2 seconds (and a control key that does not), created before the wait.
        BeforeAll {
            $script:expired = @{}
            foreach ($name in 'code', 'request', 'bool', 'extend', 'never', 'listed', 'revoked', 'audit') {
                $path = New-TestStorePath $TestDrive
                $script:expired[$name] = @{
                    Store   = $path
                    Key     = New-ApiKey -StorePath $path -Name "expiring-$name" -Allowlist @{ method = 'CALL'; resource = 'system.info' } -ExpiresAt (Get-Date).AddSeconds(2)
                    Control = New-ApiKey -StorePath $path -Name "lasting-$name" -Allowlist @{ method = 'CALL'; resource = 'system.info' } -ExpiresAt (Get-Date).AddDays(1)
                }
            }
            Start-Sleep -Seconds 3
        }

        It 'gives Code Expired, with its Id and Name' {
            $case = $script:expired['code']
            $result = Test-ApiKey -StorePath $case.Store -Key $case.Key.Key -Detailed
            $result.Valid | Should -BeFalse
            $result.Code | Should -Be 'Expired'
            $result.Id | Should -Be $case.Key.Id
            $result.Name | Should -BeExactly 'expiring-code'
            (Test-ApiKey -StorePath $case.Store -Key $case.Control.Key -Detailed).Code | Should -Be 'Valid'
        }

        It 'gives Expired for a request its allowlist allows' {
            $case = $script:expired['request']
            $result = Test-ApiKey -StorePath $case.Store -Key $case.Key.Key -Method CALL -Resource 'system.info' -Detailed
            $result.Code | Should -Be 'Expired'
            $result.AllowedBy | Should -BeNullOrEmpty
        }

        It 'returns $false without -Detailed' {
            $case = $script:expired['bool']
            Test-ApiKey -StorePath $case.Store -Key $case.Key.Key | Should -BeFalse
            Test-ApiKey -StorePath $case.Store -Key $case.Control.Key | Should -BeTrue
        }

        It 'works again after Set-ApiKey -ExpiresAt moves the expiry into the future' {
            $case = $script:expired['extend']
            Set-ApiKey -StorePath $case.Store -Id $case.Key.Id -ExpiresAt (Get-Date).AddDays(1)
            (Test-ApiKey -StorePath $case.Store -Key $case.Key.Key -Detailed).Code | Should -Be 'Valid'
        }

        It 'works again after Set-ApiKey -NeverExpires' {
            $case = $script:expired['never']
            Set-ApiKey -StorePath $case.Store -Id $case.Key.Id -NeverExpires
            (Test-ApiKey -StorePath $case.Store -Key $case.Key.Key -Detailed).Code | Should -Be 'Valid'
        }

        It 'is still listed by Get-ApiKey, with its (past) ExpiresAt and no LastUsedAt' {
            $case = $script:expired['listed']
            $null = Test-ApiKey -StorePath $case.Store -Key $case.Key.Key
            $got = Get-ApiKey -StorePath $case.Store -Id $case.Key.Id
            $got.ExpiresAt | Should -Be $case.Key.ExpiresAt
            $got.ExpiresAt | Should -BeLessThan ([datetime]::UtcNow)
            $got.LastUsedAt | Should -BeNullOrEmpty
        }

        It 'writes a VerificationFailed row with Details Expired to the audit log' {
            $case = $script:expired['audit']
            $null = Test-ApiKey -StorePath $case.Store -Key $case.Key.Key
            $entry = Get-ApiKeyAuditLog -StorePath $case.Store | Select-Object -First 1
            $entry.Action | Should -BeExactly 'VerificationFailed'
            $entry.Details | Should -BeExactly 'Expired'
            $entry.KeyId | Should -Be $case.Key.Id
        }

        It 'gives Revoked or Expired, never Valid, for an expired key that is also revoked' {
            $case = $script:expired['revoked']
            Revoke-ApiKey -StorePath $case.Store -Id $case.Key.Id
            $result = Test-ApiKey -StorePath $case.Store -Key $case.Key.Key -Detailed
            $result.Code | Should -BeIn @('Revoked', 'Expired')
            $result.Valid | Should -BeFalse
        }
    }
}

Describe 'Revoke-ApiKey' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'target' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
        $other = New-ApiKey -StorePath $store -Name 'other' -Allowlist @{ method = 'GET'; resource = '/other' }
    }

    It 'marks the key revoked with its reason, writes nothing without -PassThru, and keeps the rest' {
        $output = Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'leaked in a log'
        $output | Should -BeNullOrEmpty
        $got = Get-ApiKey -StorePath $store -Id $key.Id
        $got.Revoked | Should -BeTrue
        $got.RevokedReason | Should -BeExactly 'leaked in a log'
        $got.Name | Should -BeExactly 'target'
        $got.CreatedAt | Should -Be $key.CreatedAt
        Format-Allowlist $got | Should -BeExactly 'CALL system.info'
        (Get-ApiKey -StorePath $store -Id $other.Id).Revoked | Should -BeFalse
    }

    It 'revokes without a reason (RevokedReason null)' {
        Revoke-ApiKey -StorePath $store -Id $key.Id
        $got = Get-ApiKey -StorePath $store -Id $key.Id
        $got.Revoked | Should -BeTrue
        $got.RevokedReason | Should -BeNullOrEmpty
    }

    It 'makes the key fail verification with Code Revoked (with its Id and Name), for the key alone and a request' {
        Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'r'
        foreach ($result in (Test-ApiKey -StorePath $store -Key $key.Key -Detailed),
            (Test-ApiKey -StorePath $store -Key $key.Key -Method CALL -Resource 'system.info' -Detailed)) {
            $result.Valid | Should -BeFalse
            $result.Code | Should -Be 'Revoked'
            $result.Id | Should -Be $key.Id
            $result.Name | Should -BeExactly 'target'
            $result.AllowedBy | Should -BeNullOrEmpty
        }
        Test-ApiKey -StorePath $store -Key $key.Key | Should -BeFalse
        Test-ApiKey -StorePath $store -Key $other.Key | Should -BeTrue
    }

    It 'still gives NotFound for a wrong secret of a revoked key' {
        Revoke-ApiKey -StorePath $store -Id $key.Id
        $result = Test-ApiKey -StorePath $store -Key "$($key.Id)-$('a' * 64)" -Detailed
        $result.Code | Should -Be 'NotFound'
        $result.Id | Should -BeNullOrEmpty
        $result.Name | Should -BeNullOrEmpty
    }

    It 'writes the revoked key with -PassThru' {
        $output = Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'why' -PassThru
        @($output).Count | Should -Be 1
        $output.GetType().FullName | Should -Be 'ApiKeyModule.ApiKey'
        $output.PSObject.Properties.Name | Should -Not -Contain 'Key'
        $output.Id | Should -Be $key.Id
        $output.Revoked | Should -BeTrue
        $output.RevokedReason | Should -BeExactly 'why'
    }

    It 'revokes several ids in one call' {
        Revoke-ApiKey -StorePath $store -Id $key.Id, $other.Id
        Get-ApiKey -StorePath $store | ForEach-Object { $_.Revoked | Should -BeTrue }
    }

    It 'revokes the keys piped in (-InputObject)' {
        $output = Get-ApiKey -StorePath $store | Revoke-ApiKey -StorePath $store -Reason 'all' -PassThru
        ($output.Id | Sort-Object) -join ',' | Should -Be (($key.Id, $other.Id | Sort-Object) -join ',')
        Get-ApiKey -StorePath $store | ForEach-Object { $_.RevokedReason | Should -BeExactly 'all' }
        Test-ApiKey -StorePath $store -Key $other.Key | Should -BeFalse
    }

    It 'takes Id from the pipeline by property name' {
        [pscustomobject]@{ Id = $other.Id } | Revoke-ApiKey -StorePath $store
        (Get-ApiKey -StorePath $store -Id $other.Id).Revoked | Should -BeTrue
        (Get-ApiKey -StorePath $store -Id $key.Id).Revoked | Should -BeFalse
    }

    It 'replaces the reason when revoked again' {
        Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'first'
        Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'second'
        (Get-ApiKey -StorePath $store -Id $key.Id).RevokedReason | Should -BeExactly 'second'
    }

    It 'writes a non-terminating ApiKeyNotFound (ObjectNotFound) error for an unknown id and goes on with the others' {
        $err = $null
        Revoke-ApiKey -StorePath $store -Id 9999, $key.Id -ErrorVariable err -ErrorAction SilentlyContinue
        @($err).Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        (Get-ApiKey -StorePath $store -Id $key.Id).Revoked | Should -BeTrue
        (Get-ApiKey -StorePath $store -Id $other.Id).Revoked | Should -BeFalse
    }

    It 'reports a piped key removed since it was read, and revokes the next' {
        $stale = Get-ApiKey -StorePath $store
        Remove-ApiKey -StorePath $store -Id $key.Id
        $err = $null
        $output = $stale | Revoke-ApiKey -StorePath $store -PassThru -ErrorVariable err -ErrorAction SilentlyContinue
        @($output).Count | Should -Be 1
        $output.Id | Should -Be $other.Id
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
    }

    It 'changes nothing with -WhatIf (<Case>)' -ForEach @(
        @{ Case = '-Id'; Run = { param($s, $k) Revoke-ApiKey -StorePath $s -Id $k.Id -Reason 'whatif' -WhatIf } }
        @{ Case = 'piped keys'; Run = { param($s, $k) Get-ApiKey -StorePath $s | Revoke-ApiKey -StorePath $s -PassThru -WhatIf } }
    ) {
        $before = Get-FullSnapshot $store
        & $Run $store $key | Should -BeNullOrEmpty
        Get-FullSnapshot $store | Should -BeExactly $before
        Test-ApiKey -StorePath $store -Key $key.Key | Should -BeTrue
    }

    It 'revokes without prompting with -Confirm:$false' {
        Revoke-ApiKey -StorePath $store -Id $key.Id -Confirm:$false
        (Get-ApiKey -StorePath $store -Id $key.Id).Revoked | Should -BeTrue
    }

    It 'keeps the key revoked through changes other than a reset (<Case>)' -ForEach @(
        @{ Case = '-Name'; Arguments = @{ Name = 'renamed' } }
        @{ Case = '-Allowlist'; Arguments = @{ Allowlist = @{ method = 'GET'; resource = '/x' } } }
        @{ Case = '-ExpiresAt'; Arguments = @{ ExpiresAt = [datetime]::UtcNow.AddDays(10) } }
        @{ Case = '-NeverExpires'; Arguments = @{ NeverExpires = $true } }
    ) {
        Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'kept'
        Set-ApiKey -StorePath $store -Id $key.Id @Arguments
        $got = Get-ApiKey -StorePath $store -Id $key.Id
        $got.Revoked | Should -BeTrue
        $got.RevokedReason | Should -BeExactly 'kept'
        (Test-ApiKey -StorePath $store -Key $key.Key -Detailed).Code | Should -Be 'Revoked'
    }

    Context 'Set-ApiKey -Reset un-revokes' {
        BeforeEach {
            Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'compromised'
            $reset = Set-ApiKey -StorePath $store -Id $key.Id -Reset
        }

        It 'clears Revoked and RevokedReason, on the written key and in the store' {
            foreach ($got in $reset, (Get-ApiKey -StorePath $store -Id $key.Id)) {
                $got.Revoked | Should -BeFalse
                $got.RevokedReason | Should -BeNullOrEmpty
            }
        }

        It 'makes the old key NotFound and the new one Valid' {
            $old = Test-ApiKey -StorePath $store -Key $key.Key -Detailed
            $old.Code | Should -Be 'NotFound'
            $old.Id | Should -BeNullOrEmpty
            $old.Name | Should -BeNullOrEmpty
            $new = Test-ApiKey -StorePath $store -Key $reset.Key -Method CALL -Resource 'system.info' -Detailed
            $new.Code | Should -Be 'Valid'
            $new.Id | Should -Be $key.Id
        }

        It 'can be revoked again, and reset again' {
            Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'again'
            (Test-ApiKey -StorePath $store -Key $reset.Key -Detailed).Code | Should -Be 'Revoked'
            $third = Set-ApiKey -StorePath $store -Id $key.Id -Reset
            (Test-ApiKey -StorePath $store -Key $third.Key -Detailed).Code | Should -Be 'Valid'
            (Test-ApiKey -StorePath $store -Key $reset.Key -Detailed).Code | Should -Be 'NotFound'
        }
    }
}

Describe 'LastUsedAt' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'used' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
    }

    It 'is set (UTC, at the time of the call) by a successful verification <Case>' -ForEach @(
        @{ Case = 'of the key alone'; Arguments = @{} }
        @{ Case = 'with an allowed request'; Arguments = @{ Method = 'CALL'; Resource = 'system.info' } }
    ) {
        (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -BeNullOrEmpty
        $before = [datetime]::UtcNow
        Test-ApiKey -StorePath $store -Key $key.Key @Arguments | Should -BeTrue
        $after = [datetime]::UtcNow
        $used = (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt
        $used | Should -BeOfType [datetime]
        $used.Kind | Should -Be 'Utc'
        # Stored to the millisecond: between the start of the call (rounded down) and its end.
        $used | Should -BeGreaterOrEqual (ConvertTo-StoredTime $before)
        $used | Should -BeLessOrEqual $after
    }

    It 'is not set by a refused verification (<Case>)' -ForEach @(
        @{ Case = 'Forbidden'; Make = { param($k) @{ Key = $k.Key; Method = 'GET'; Resource = '/nope' } } }
        @{ Case = 'NotFound (wrong secret)'; Make = { param($k) @{ Key = "$($k.Id)-$('Z' * 64)" } } }
        @{ Case = 'Malformed'; Make = { param($k) @{ Key = "$($k.Id)-short" } } }
    ) {
        $arguments = & $Make $key
        Test-ApiKey -StorePath $store @arguments | Should -BeFalse
        (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -BeNullOrEmpty
    }

    It 'is not set for a revoked key' {
        Revoke-ApiKey -StorePath $store -Id $key.Id
        Test-ApiKey -StorePath $store -Key $key.Key | Should -BeFalse
        (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -BeNullOrEmpty
    }

    It 'is rewritten at most once a minute: 20 verifications in a row leave it unchanged' {
        $null = Test-ApiKey -StorePath $store -Key $key.Key
        $first = (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt
        $first | Should -Not -BeNullOrEmpty
        1..20 | ForEach-Object { Test-ApiKey -StorePath $store -Key $key.Key | Should -BeTrue }
        (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -Be $first
    }

    It 'is rewritten by a verification once it is more than a minute old' {
        $null = Test-ApiKey -StorePath $store -Key $key.Key
        # Make the last use two minutes old, as if the key had last been used then.
        $old = [DateTimeOffset]::UtcNow.AddMinutes(-2).ToUnixTimeMilliseconds()
        Invoke-StoreNonQuery $store "UPDATE api_keys SET last_used_at = $old WHERE id = $($key.Id)"
        (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -Be ([DateTimeOffset]::FromUnixTimeMilliseconds($old).UtcDateTime)
        $before = ConvertTo-StoredTime ([datetime]::UtcNow)
        Test-ApiKey -StorePath $store -Key $key.Key | Should -BeTrue
        (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -BeGreaterOrEqual $before
    }

    It 'is not rewritten by a verification while it is less than a minute old' {
        $null = Test-ApiKey -StorePath $store -Key $key.Key
        $recent = [DateTimeOffset]::UtcNow.AddSeconds(-30).ToUnixTimeMilliseconds()
        Invoke-StoreNonQuery $store "UPDATE api_keys SET last_used_at = $recent WHERE id = $($key.Id)"
        Test-ApiKey -StorePath $store -Key $key.Key | Should -BeTrue
        (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -Be ([DateTimeOffset]::FromUnixTimeMilliseconds($recent).UtcDateTime)
    }

    It 'is kept through a reset and a rename' {
        $null = Test-ApiKey -StorePath $store -Key $key.Key
        $used = (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt
        $reset = Set-ApiKey -StorePath $store -Id $key.Id -Reset -Name 'renamed'
        $reset.LastUsedAt | Should -Be $used
        (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -Be $used
    }

    It 'belongs to the key used only' {
        $other = New-ApiKey -StorePath $store -Name 'unused' -Allowlist @{ method = 'GET'; resource = '/' }
        $null = Test-ApiKey -StorePath $store -Key $key.Key
        (Get-ApiKey -StorePath $store -Id $other.Id).LastUsedAt | Should -BeNullOrEmpty
    }
}
