BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
}

Describe 'Set-ApiKey' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'target' -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' }
        $other = New-ApiKey -StorePath $store -Name 'other' -Allowlist @{ method = 'GET'; resource = '/other' }
    }

    Context '-Name' {
        It 'renames the key and writes nothing without -PassThru' {
            $output = Set-ApiKey -StorePath $store -Id $key.Id -Name 'renamed'
            $output | Should -BeNullOrEmpty
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.Name | Should -BeExactly 'renamed'
            $got.CreatedAt | Should -Be $key.CreatedAt
            Format-Allowlist $got | Should -BeExactly 'CALL system.info; GET /pool'
        }

        It 'renames the key to its own name in another case' {
            Set-ApiKey -StorePath $store -Id $key.Id -Name 'TARGET'
            (Get-ApiKey -StorePath $store -Id $key.Id).Name | Should -BeExactly 'TARGET'
        }

        It 'takes -Id by position' {
            Set-ApiKey $key.Id -Name 'by-position' -StorePath $store
            (Get-ApiKey -StorePath $store -Id $key.Id).Name | Should -BeExactly 'by-position'
        }
    }

    Context '-Allowlist' {
        It 'replaces the allowlist and keeps the name' {
            Set-ApiKey -StorePath $store -Id $key.Id -Allowlist @{ method = 'subscribe'; resource = 'certificate.query' }
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            Format-Allowlist $got | Should -BeExactly 'SUBSCRIBE certificate.query'
            $got.Name | Should -BeExactly 'target'
        }

        It 'clears the allowlist with -Allowlist @()' {
            Set-ApiKey -StorePath $store -Id $key.Id -Allowlist @() -WarningAction SilentlyContinue
            (Get-ApiKey -StorePath $store -Id $key.Id).Allowlist.Count | Should -Be 0
        }

        It 'leaves the other keys alone' {
            Set-ApiKey -StorePath $store -Id $key.Id -Allowlist @{ method = 'GET'; resource = '/changed' } -Name 'changed'
            $got = Get-ApiKey -StorePath $store -Id $other.Id
            $got.Name | Should -BeExactly 'other'
            Format-Allowlist $got | Should -BeExactly 'GET /other'
        }
    }

    Context '-PassThru' {
        It 'writes the updated key, as an ApiKey without a Key' {
            $output = Set-ApiKey -StorePath $store -Id $key.Id -Name 'passed' -Allowlist @{ method = 'GET'; resource = '/p' } -PassThru
            @($output).Count | Should -Be 1
            $output.GetType().FullName | Should -Be 'ApiKeyModule.ApiKey'
            $output.PSObject.Properties.Name | Should -Not -Contain 'Key'
            $output.Id | Should -Be $key.Id
            $output.Name | Should -BeExactly 'passed'
            $output.CreatedAt | Should -Be $key.CreatedAt
            Format-Allowlist $output | Should -BeExactly 'GET /p'
        }
    }

    Context '-Reset' {
        It 'always writes an IssuedApiKey with a new key for the same Id' {
            $reset = Set-ApiKey -StorePath $store -Id $key.Id -Reset
            @($reset).Count | Should -Be 1
            $reset.GetType().FullName | Should -Be 'ApiKeyModule.IssuedApiKey'
            $reset.Id | Should -Be $key.Id
            $reset.Key | Should -MatchExactly "^$($key.Id)-[A-Za-z0-9]{64}$"
            $reset.Key | Should -Not -BeExactly $key.Key
            $reset.Key.Substring($reset.Key.IndexOf('-') + 1) | Should -Not -BeExactly $key.Key.Substring($key.Key.IndexOf('-') + 1)
        }

        It 'keeps the name, creation time and allowlist' {
            $reset = Set-ApiKey -StorePath $store -Id $key.Id -Reset
            foreach ($got in $reset, (Get-ApiKey -StorePath $store -Id $key.Id)) {
                $got.Name | Should -BeExactly 'target'
                $got.CreatedAt | Should -Be $key.CreatedAt
                Format-Allowlist $got | Should -BeExactly 'CALL system.info; GET /pool'
            }
        }

        It 'writes the key once with -PassThru' {
            $reset = Set-ApiKey -StorePath $store -Id $key.Id -Reset -PassThru
            @($reset).Count | Should -Be 1
            $reset.GetType().FullName | Should -Be 'ApiKeyModule.IssuedApiKey'
        }

        It 'gives a different key each time' {
            $first = Set-ApiKey -StorePath $store -Id $key.Id -Reset
            $second = Set-ApiKey -StorePath $store -Id $key.Id -Reset
            $second.Key | Should -Not -BeExactly $first.Key
        }

        It 'combines with -Name and -Allowlist, writing one IssuedApiKey with the changes' {
            $reset = Set-ApiKey -StorePath $store -Id $key.Id -Reset -Name 'reset-renamed' -Allowlist @{ method = 'PUT'; resource = '/r' }
            @($reset).Count | Should -Be 1
            $reset.Key | Should -MatchExactly "^$($key.Id)-[A-Za-z0-9]{64}$"
            $reset.Name | Should -BeExactly 'reset-renamed'
            Format-Allowlist $reset | Should -BeExactly 'PUT /r'
            Format-Allowlist (Get-ApiKey -StorePath $store -Id $key.Id) | Should -BeExactly 'PUT /r'
        }
    }

    Context 'pipeline input' {
        It 'updates the keys piped in (-InputObject)' {
            $output = Get-ApiKey -StorePath $store | Set-ApiKey -StorePath $store -Allowlist @{ method = 'GET'; resource = '/all' } -PassThru
            ($output.Id | Sort-Object) -join ',' | Should -Be (($key.Id, $other.Id | Sort-Object) -join ',')
            Get-ApiKey -StorePath $store | ForEach-Object { Format-Allowlist $_ | Should -BeExactly 'GET /all' }
        }

        It 'does not set a piped key''s own (stale) name back' {
            $stale = Get-ApiKey -StorePath $store -Id $key.Id
            Set-ApiKey -StorePath $store -Id $key.Id -Name 'renamed-meanwhile'
            $stale | Set-ApiKey -StorePath $store -Allowlist @{ method = 'GET'; resource = '/new' }
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.Name | Should -BeExactly 'renamed-meanwhile'
            Format-Allowlist $got | Should -BeExactly 'GET /new'
        }

        It 'does not take Name or Allowlist from the properties of piped objects' {
            $item = [pscustomobject]@{ Id = $key.Id; Name = 'from-pipeline'; Allowlist = '[{"method":"GET","resource":"/from-pipeline"}]' }
            $reset = $item | Set-ApiKey -StorePath $store -Reset
            $reset.Id | Should -Be $key.Id
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.Name | Should -BeExactly 'target'
            Format-Allowlist $got | Should -BeExactly 'CALL system.info; GET /pool'
        }

        It 'takes Id from the pipeline by property name' {
            [pscustomobject]@{ Id = $other.Id } | Set-ApiKey -StorePath $store -Name 'by-property'
            (Get-ApiKey -StorePath $store -Id $other.Id).Name | Should -BeExactly 'by-property'
        }
    }

    Context '-WhatIf' {
        It 'changes nothing with <Case>' -ForEach @(
            @{ Case = '-Name'; Arguments = @{ Name = 'whatif' } }
            @{ Case = '-Allowlist'; Arguments = @{ Allowlist = @{ method = 'GET'; resource = '/whatif' } } }
            @{ Case = '-Allowlist @()'; Arguments = @{ Allowlist = @() } }
            @{ Case = '-Reset'; Arguments = @{ Reset = $true } }
        ) {
            $before = Get-StoreSnapshot $store
            $output = Set-ApiKey -StorePath $store -Id $key.Id @Arguments -WhatIf
            $output | Should -BeNullOrEmpty
            Get-StoreSnapshot $store | Should -BeExactly $before
        }
    }

    Context 'errors' {
        It 'throws a terminating NoChangeRequested (InvalidArgument) error when <Case>' -ForEach @(
            @{ Case = 'nothing is given'; Arguments = @{} }
            @{ Case = 'only -PassThru is given'; Arguments = @{ PassThru = $true } }
        ) {
            $before = Get-StoreSnapshot $store
            $thrown = { Set-ApiKey -StorePath $store -Id $key.Id @Arguments -ErrorAction SilentlyContinue } |
                Should -Throw -ErrorId 'NoChangeRequested,*' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            Get-StoreSnapshot $store | Should -BeExactly $before
        }

        It 'throws NoChangeRequested for piped keys too, before changing any' {
            $before = Get-StoreSnapshot $store
            { Get-ApiKey -StorePath $store | Set-ApiKey -StorePath $store -PassThru } | Should -Throw -ErrorId 'NoChangeRequested,*'
            Get-StoreSnapshot $store | Should -BeExactly $before
        }

        It 'writes a non-terminating ApiKeyNotFound (ObjectNotFound) error for an unknown Id with <Case>' -ForEach @(
            @{ Case = '-Name'; Arguments = @{ Name = 'nobody' } }
            @{ Case = '-Reset'; Arguments = @{ Reset = $true } }
        ) {
            $before = Get-StoreSnapshot $store
            $err = $null
            $output = Set-ApiKey -StorePath $store -Id 9999 @Arguments -ErrorVariable err -ErrorAction SilentlyContinue
            $output | Should -BeNullOrEmpty
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            Get-StoreSnapshot $store | Should -BeExactly $before
        }

        It 'reports a key removed since it was read and goes on with the next piped key' {
            $stale = Get-ApiKey -StorePath $store
            Remove-ApiKey -StorePath $store -Id $key.Id
            $err = $null
            $output = $stale | Set-ApiKey -StorePath $store -Reset -ErrorVariable err -ErrorAction SilentlyContinue
            @($output).Count | Should -Be 1
            $output.Id | Should -Be $other.Id
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
        }

        It 'reports DuplicateName (ResourceExists) when renaming to another key''s name in any case, and changes nothing' {
            $before = Get-StoreSnapshot $store
            $records = Get-ErrorRecord { Set-ApiKey -StorePath $store -Id $key.Id -Name 'OTHER' -Reset }
            @($records).Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateName,*'
            $records[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            Get-StoreSnapshot $store | Should -BeExactly $before
        }
    }
}
