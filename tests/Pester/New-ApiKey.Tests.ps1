BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
}

Describe 'New-ApiKey' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
    }

    Context 'creating a key' {
        It 'returns an IssuedApiKey with Id, Name, CreatedAt (UTC), Allowlist and Key' {
            $before = [DateTime]::UtcNow.AddMinutes(-5)
            $key = New-ApiKey -StorePath $store -Name 'backup-server' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
            @($key).Count | Should -Be 1
            $key.GetType().FullName | Should -Be 'ApiKeyModule.IssuedApiKey'
            $key | Should -BeOfType ([ApiKeyModule.ApiKey])
            $key.Id | Should -BeOfType ([int])
            $key.Id | Should -BeGreaterThan 0
            $key.Name | Should -BeExactly 'backup-server'
            $key.CreatedAt | Should -BeOfType ([DateTime])
            $key.CreatedAt.Kind | Should -Be 'Utc'
            $key.CreatedAt | Should -BeGreaterThan $before
            $key.CreatedAt | Should -BeLessThan ([DateTime]::UtcNow.AddMinutes(5))
            Format-Allowlist $key | Should -BeExactly 'CALL system.info'
        }

        It 'stores the key: Get-ApiKey returns the same Id, Name, CreatedAt and Allowlist' {
            $key = New-ApiKey -StorePath $store -Name 'stored' -Allowlist @{ method = 'GET'; resource = '/pool' }
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.Name | Should -BeExactly 'stored'
            $got.CreatedAt | Should -Be $key.CreatedAt
            $got.CreatedAt.Kind | Should -Be 'Utc'
            Format-Allowlist $got | Should -BeExactly (Format-Allowlist $key)
        }

        It 'binds -Name and -Allowlist by position' {
            $key = New-ApiKey 'positional' @{ method = 'GET'; resource = '/pool' } -StorePath $store
            $key.Name | Should -BeExactly 'positional'
            Format-Allowlist $key | Should -BeExactly 'GET /pool'
        }

        It 'gives each new key a new, higher Id' {
            $first = New-ApiKey -StorePath $store -Name 'first' -WarningAction SilentlyContinue
            $second = New-ApiKey -StorePath $store -Name 'second' -WarningAction SilentlyContinue
            $second.Id | Should -BeGreaterThan $first.Id
        }

        It 'accepts a name <Case>' -ForEach @(
            @{ Case = 'with a space inside'; Name = 'my key' }
            @{ Case = 'of 1 character'; Name = 'x' }
            @{ Case = 'of 200 characters'; Name = 'n' * 200 }
            @{ Case = 'with non-ASCII letters'; Name = 'clé-ünïcødé' }
        ) {
            $key = New-ApiKey -StorePath $store -Name $Name -WarningAction SilentlyContinue
            $key.Name | Should -BeExactly $Name
            (Get-ApiKey -StorePath $store -Id $key.Id).Name | Should -BeExactly $Name
        }
    }

    Context 'the key' {
        It 'has the form Id-secret (64 characters of A-Za-z0-9) with the key''s Id as prefix' {
            $key = New-ApiKey -StorePath $store -Name 'format' -WarningAction SilentlyContinue
            $key.Key | Should -MatchExactly '^\d+-[A-Za-z0-9]{64}$'
            $key.Key.Split('-')[0] | Should -BeExactly "$($key.Id)"
        }

        It 'differs between creates (the secret part too)' {
            $keys = 1..20 | ForEach-Object { New-ApiKey -StorePath $store -Name "k$_" -WarningAction SilentlyContinue }
            $secrets = $keys | ForEach-Object { $_.Key.Substring($_.Key.IndexOf('-') + 1) }
            @($secrets | Sort-Object -Unique).Count | Should -Be 20
            foreach ($key in $keys) { $key.Key | Should -MatchExactly "^$($key.Id)-[A-Za-z0-9]{64}$" }
        }

        It 'draws the secret from upper-case letters, lower-case letters and digits' {
            # 30 keys hold 1,920 characters: missing a whole class by chance is practically impossible.
            $secrets = (1..30 | ForEach-Object { (New-ApiKey -StorePath $store -Name "chars$_" -WarningAction SilentlyContinue).Key.Split('-')[1] }) -join ''
            $secrets | Should -MatchExactly '[A-Z]'
            $secrets | Should -MatchExactly '[a-z]'
            $secrets | Should -MatchExactly '[0-9]'
        }

        It 'is returned only by New-ApiKey: Get-ApiKey output has no Key and no hash' {
            $key = New-ApiKey -StorePath $store -Name 'secret' -WarningAction SilentlyContinue
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.GetType().FullName | Should -Be 'ApiKeyModule.ApiKey'
            $got.PSObject.Properties.Name | Should -Not -Contain 'Key'
            $got.PSObject.Properties.Name | Should -Not -Match 'hash|secret'
            # Nor does any value hold the key, its secret, or a SHA-256 of either (hex or base64).
            $secret = $key.Key.Substring($key.Key.IndexOf('-') + 1)
            $shown = $got | Select-Object * | ConvertTo-Json -Depth 5 -Compress
            foreach ($text in $key.Key, $secret) {
                $hash = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::ASCII.GetBytes($text))
                foreach ($form in $text, [Convert]::ToHexString($hash), [Convert]::ToBase64String($hash)) {
                    $shown.Contains($form, [StringComparison]::OrdinalIgnoreCase) | Should -BeFalse -Because "Get-ApiKey output must not hold '$form'"
                }
            }
        }
    }

    Context 'the allowlist' {
        It 'warns that an empty allowlist grants nothing when -Allowlist is <Case>' -ForEach @(
            @{ Case = 'not given'; Arguments = @{} }
            @{ Case = 'an empty array'; Arguments = @{ Allowlist = @() } }
        ) {
            $warnings = $null
            $key = New-ApiKey -StorePath $store -Name 'empty' @Arguments -WarningVariable warnings -WarningAction SilentlyContinue
            $key.Allowlist.Count | Should -Be 0
            @($warnings).Count | Should -Be 1
            "$($warnings[0])" | Should -Match 'grants nothing'
            (Get-ApiKey -StorePath $store -Id $key.Id).Allowlist.Count | Should -Be 0
        }

        It 'does not warn when the allowlist grants something' {
            $warnings = $null
            $null = New-ApiKey -StorePath $store -Name 'granted' -Allowlist @{ method = 'GET'; resource = '/pool' } -WarningVariable warnings
            @($warnings).Count | Should -Be 0
        }

        It 'is a read-only list' {
            $key = New-ApiKey -StorePath $store -Name 'readonly' -Allowlist @{ method = 'GET'; resource = '/pool' }
            $empty = New-ApiKey -StorePath $store -Name 'readonly-empty' -WarningAction SilentlyContinue
            $entry = $key.Allowlist[0]
            foreach ($list in $empty.Allowlist, (Get-ApiKey -StorePath $store -Id $empty.Id).Allowlist) {
                { $list.Add($entry) } | Should -Throw
                $list.Count | Should -Be 0
            }
            foreach ($list in $key.Allowlist, (Get-ApiKey -StorePath $store -Id $key.Id).Allowlist) {
                { $list.Add($entry) } | Should -Throw
                { $list.Clear() } | Should -Throw
                { $list[0] = $null } | Should -Throw
                $list.Count | Should -Be 1
            }
            Format-Allowlist $key | Should -BeExactly 'GET /pool'
            Format-Allowlist (Get-ApiKey -StorePath $store -Id $key.Id) | Should -BeExactly 'GET /pool'
        }

        It 'gives entries a ToString() of "METHOD resource"' {
            $key = New-ApiKey -StorePath $store -Name 'tostring' -Allowlist @{ method = 'call'; resource = 'system.info' }
            $key.Allowlist[0].ToString() | Should -BeExactly 'CALL system.info'
            $key.Allowlist[0].GetType().FullName | Should -Be 'ApiKeyModule.AllowlistEntry'
        }
    }

    Context 'pipeline input' {
        It 'takes names from the pipeline by value, one key per name' {
            $keys = 'pipe-a', 'pipe-b', 'pipe-c' | New-ApiKey -StorePath $store -WarningAction SilentlyContinue
            @($keys).Count | Should -Be 3
            ($keys.Name) -join ',' | Should -BeExactly 'pipe-a,pipe-b,pipe-c'
            @($keys.Key | Sort-Object -Unique).Count | Should -Be 3
            (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'pipe-a,pipe-b,pipe-c'
        }

        It 'takes Name and Allowlist from the pipeline by property name, each item with its own allowlist' {
            $items = @(
                [pscustomobject]@{ Name = 'prop-a'; Allowlist = '[{"method":"GET","resource":"/pool"}]' }
                [pscustomobject]@{ Name = 'prop-b' }
                [pscustomobject]@{ Name = 'prop-c'; Allowlist = "- method: CALL`n  resource: system.info" }
            )
            $keys = $items | New-ApiKey -StorePath $store -WarningAction SilentlyContinue
            @($keys).Count | Should -Be 3
            Format-Allowlist (Get-ApiKey -StorePath $store -Name 'prop-a') | Should -BeExactly 'GET /pool'
            Format-Allowlist (Get-ApiKey -StorePath $store -Name 'prop-b') | Should -BeExactly ''
            Format-Allowlist (Get-ApiKey -StorePath $store -Name 'prop-c') | Should -BeExactly 'CALL system.info'
        }
    }

    Context '-WhatIf' {
        It 'creates nothing and does not even create the store file' {
            $output = New-ApiKey -StorePath $store -Name 'whatif' -Allowlist @{ method = 'GET'; resource = '/pool' } -WhatIf
            $output | Should -BeNullOrEmpty
            Test-StoreExists $store | Should -BeFalse
        }

        It 'creates nothing in an existing store' {
            $null = Add-SeedKeys $store
            $before = Get-StoreSnapshot $store
            New-ApiKey -StorePath $store -Name 'whatif' -WhatIf | Should -BeNullOrEmpty
            Get-StoreSnapshot $store | Should -BeExactly $before
            Get-ApiKey -StorePath $store -Name 'whatif' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'creates the key with -Confirm:$false' {
            $key = New-ApiKey -StorePath $store -Name 'confirmed' -Confirm:$false -WarningAction SilentlyContinue
            (Get-ApiKey -StorePath $store -Id $key.Id).Name | Should -BeExactly 'confirmed'
        }
    }

    Context 'bad input' {
        It 'writes a non-terminating DuplicateName (ResourceExists) error for a name that exists in another case, and changes nothing' {
            $null = Add-SeedKeys $store
            $before = Get-StoreSnapshot $store
            $err = $null
            $output = New-ApiKey -StorePath $store -Name 'SEED-ONE' -Allowlist @{ method = 'GET'; resource = '/x' } -ErrorVariable err -ErrorAction SilentlyContinue
            $output | Should -BeNullOrEmpty
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateName,*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            Get-StoreSnapshot $store | Should -BeExactly $before
        }

        It 'does not create the store file for bad input' {
            $err = $null
            New-ApiKey -StorePath $store -Name ' bad' -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidName,*'
            Test-StoreExists $store | Should -BeFalse
        }

        It 'reports a bad item in the middle of a pipeline and still creates the others' {
            $err = $null
            $keys = 'ok1', ' bad', 'ok2' | New-ApiKey -StorePath $store -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            ($keys.Name) -join ',' | Should -BeExactly 'ok1,ok2'
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidName,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'ok1,ok2'
        }

        It 'reports a duplicate in the middle of a pipeline and still creates the others' {
            $err = $null
            $keys = 'dup', 'DUP', 'after' | New-ApiKey -StorePath $store -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            ($keys.Name) -join ',' | Should -BeExactly 'dup,after'
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateName,*'
            (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'dup,after'
        }

        It 'reports a bad allowlist in the middle of a pipeline and still creates the others' {
            $items = @(
                [pscustomobject]@{ Name = 'good-1'; Allowlist = '[{"method":"GET","resource":"/pool"}]' }
                [pscustomobject]@{ Name = 'bad-allowlist'; Allowlist = '[{"method":"PATCH","resource":"/pool"}]' }
                [pscustomobject]@{ Name = 'good-2'; Allowlist = '[{"method":"CALL","resource":"system.info"}]' }
            )
            $err = $null
            $keys = $items | New-ApiKey -StorePath $store -ErrorVariable err -ErrorAction SilentlyContinue
            ($keys.Name) -join ',' | Should -BeExactly 'good-1,good-2'
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAllowlistEntry,*'
            (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'good-1,good-2'
        }
    }
}
