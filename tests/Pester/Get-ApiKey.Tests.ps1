BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
}

Describe 'Get-ApiKey' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        # Created in this order, so that Id order differs from name order.
        $keys = @{}
        foreach ($name in 'prod-web', 'dev-db', 'prod-db', 'Backup Server', 'abc') {
            $keys[$name] = New-ApiKey -StorePath $store -Name $name -Allowlist @{ method = 'GET'; resource = "/$name" }
        }
    }

    Context 'all keys' {
        It 'returns every key, ordered by Id, when no argument is given' {
            $all = Get-ApiKey -StorePath $store
            @($all).Count | Should -Be 5
            ($all.Id) -join ',' | Should -Be ((($keys.Values.Id) | Sort-Object) -join ',')
            ($all.Name) -join ',' | Should -BeExactly 'prod-web,dev-db,prod-db,Backup Server,abc'
        }

        It 'returns ApiKey objects with Id, Name, CreatedAt (UTC) and Allowlist, and no Key' {
            foreach ($key in Get-ApiKey -StorePath $store) {
                $key.GetType().FullName | Should -Be 'ApiKeyModule.ApiKey'
                $key.PSObject.Properties.Name | Should -Not -Contain 'Key'
                $key.CreatedAt.Kind | Should -Be 'Utc'
                $key.CreatedAt | Should -Be $keys[$key.Name].CreatedAt
                Format-Allowlist $key | Should -BeExactly "GET /$($key.Name)"
            }
        }

        It 'returns nothing, without error, from an empty store' {
            $empty = New-TestStorePath $TestDrive
            $err = $null
            Get-ApiKey -StorePath $empty -ErrorVariable err | Should -BeNullOrEmpty
            $err | Should -BeNullOrEmpty
        }
    }

    Context '-Id' {
        It 'returns the key with that Id' {
            $key = Get-ApiKey -StorePath $store -Id $keys['prod-db'].Id
            $key.Name | Should -BeExactly 'prod-db'
        }

        It 'returns several keys in the order of the Ids given' {
            $got = Get-ApiKey -StorePath $store -Id $keys['abc'].Id, $keys['prod-web'].Id
            ($got.Name) -join ',' | Should -BeExactly 'abc,prod-web'
        }

        It 'takes Id from the pipeline by property name' {
            $got = [pscustomobject]@{ Id = $keys['dev-db'].Id } | Get-ApiKey -StorePath $store
            $got.Name | Should -BeExactly 'dev-db'
        }

        It 'writes a non-terminating ApiKeyNotFound (ObjectNotFound) error for an unknown Id and still returns the others' {
            $err = $null
            $got = Get-ApiKey -StorePath $store -Id $keys['abc'].Id, 9999, $keys['dev-db'].Id -ErrorVariable err -ErrorAction SilentlyContinue
            ($got.Name) -join ',' | Should -BeExactly 'abc,dev-db'
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].Exception.Message | Should -Match '9999'
        }
    }

    Context '-Name' {
        It 'finds a literal name ignoring case (<Given>)' -ForEach @(
            @{ Given = 'prod-db' }, @{ Given = 'PROD-DB' }, @{ Given = 'Prod-Db' }
        ) {
            $got = Get-ApiKey -StorePath $store -Name $Given
            @($got).Count | Should -Be 1
            $got.Name | Should -BeExactly 'prod-db'
        }

        It 'finds a name with a space inside, by position' {
            (Get-ApiKey 'backup server' -StorePath $store).Name | Should -BeExactly 'Backup Server'
        }

        It 'matches the wildcard <Pattern> ignoring case' -ForEach @(
            @{ Pattern = 'prod*'; Expected = 'prod-db,prod-web' }
            @{ Pattern = 'PROD-*'; Expected = 'prod-db,prod-web' }
            @{ Pattern = '*-db'; Expected = 'dev-db,prod-db' }
            @{ Pattern = '*'; Expected = 'abc,Backup Server,dev-db,prod-db,prod-web' }
            @{ Pattern = 'a?c'; Expected = 'abc' }
            @{ Pattern = '[ad]*'; Expected = 'abc,dev-db' }
            @{ Pattern = '*server'; Expected = 'Backup Server' }
        ) {
            $got = Get-ApiKey -StorePath $store -Name $Pattern
            (@($got.Name) | Sort-Object) -join ',' | Should -BeExactly $Expected
        }

        It 'returns nothing and no error for a wildcard that matches nothing' {
            $err = $null
            Get-ApiKey -StorePath $store -Name 'nothing*' -ErrorVariable err | Should -BeNullOrEmpty
            $err | Should -BeNullOrEmpty
        }

        It 'writes a non-terminating ApiKeyNotFound (ObjectNotFound) error for an unknown literal name and still returns the others' {
            $err = $null
            $got = Get-ApiKey -StorePath $store -Name 'abc', 'missing', 'dev-db' -ErrorVariable err -ErrorAction SilentlyContinue
            ($got.Name) -join ',' | Should -BeExactly 'abc,dev-db'
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].Exception.Message | Should -Match 'missing'
        }

        It 'handles several patterns in one call' {
            $got = Get-ApiKey -StorePath $store -Name 'a*', 'dev*'
            (@($got.Name) | Sort-Object) -join ',' | Should -BeExactly 'abc,dev-db'
        }

        It 'emits a key that matches two patterns (or a pattern and its literal name) once' {
            $got = Get-ApiKey -StorePath $store -Name 'prod*', '*db', 'prod-db'
            (@($got.Name) | Sort-Object) -join ',' | Should -BeExactly 'dev-db,prod-db,prod-web'
        }

        It 'takes names from the pipeline by value' {
            $got = 'abc', 'dev*' | Get-ApiKey -StorePath $store
            (@($got.Name) | Sort-Object) -join ',' | Should -BeExactly 'abc,dev-db'
        }

        It 'takes Name from the pipeline by property name' {
            $got = [pscustomobject]@{ Name = 'prod-web' } | Get-ApiKey -StorePath $store
            $got.Name | Should -BeExactly 'prod-web'
        }

        It 'finds a name holding wildcard characters when they are escaped' {
            $literal = New-ApiKey -StorePath $store -Name 'key[1]' -Allowlist @{ method = 'GET'; resource = '/x' }
            $null = New-ApiKey -StorePath $store -Name 'key1' -Allowlist @{ method = 'GET'; resource = '/x' }
            $err = $null
            $got = Get-ApiKey -StorePath $store -Name ([WildcardPattern]::Escape('key[1]')) -ErrorVariable err -ErrorAction SilentlyContinue
            $err | Should -BeNullOrEmpty
            @($got).Count | Should -Be 1
            $got.Id | Should -Be $literal.Id
        }

        It 'matches an escaped wildcard character literally inside a pattern' {
            $null = New-ApiKey -StorePath $store -Name 'star*name' -Allowlist @{ method = 'GET'; resource = '/x' }
            $null = New-ApiKey -StorePath $store -Name 'starXname' -Allowlist @{ method = 'GET'; resource = '/x' }
            $got = Get-ApiKey -StorePath $store -Name 'star`*na*'
            (@($got.Name) | Sort-Object) -join ',' | Should -BeExactly 'star*name'
        }
    }

    It 'changes nothing in the store' {
        $before = Get-StoreSnapshot $store
        $null = Get-ApiKey -StorePath $store
        $null = Get-ApiKey -StorePath $store -Name 'prod*'
        $null = Get-ApiKey -StorePath $store -Id 9999 -ErrorAction SilentlyContinue
        Get-StoreSnapshot $store | Should -BeExactly $before
    }
}
