BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
}

Describe 'Remove-ApiKey' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $keys = @{}
        foreach ($name in 'old-1', 'keep', 'old-2', 'OLD-3', 'folder-old') {
            $keys[$name] = New-ApiKey -StorePath $store -Name $name -Allowlist @{ method = 'GET'; resource = "/$name" }
        }
    }

    It 'removes the key with -Id and writes nothing' {
        $output = Remove-ApiKey -StorePath $store -Id $keys['keep'].Id
        $output | Should -BeNullOrEmpty
        (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'old-1,old-2,OLD-3,folder-old'
    }

    It 'removes several keys with -Id, given by position' {
        Remove-ApiKey $keys['old-1'].Id, $keys['folder-old'].Id -StorePath $store
        (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'keep,old-2,OLD-3'
    }

    It 'removes the keys piped in (-InputObject): Get-ApiKey old* | Remove-ApiKey' {
        $output = Get-ApiKey -StorePath $store -Name 'old*' | Remove-ApiKey -StorePath $store
        $output | Should -BeNullOrEmpty
        (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'keep,folder-old'
    }

    It 'removes the keys given as -InputObject' {
        Remove-ApiKey -StorePath $store -InputObject $keys['old-1'], $keys['old-2']
        (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'keep,OLD-3,folder-old'
    }

    It 'takes Id from the pipeline by property name' {
        [pscustomobject]@{ Id = $keys['keep'].Id } | Remove-ApiKey -StorePath $store
        Get-ApiKey -StorePath $store -Name 'keep' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'works with the store given by $PSDefaultParameterValues' {
        $PSDefaultParameterValues['*-ApiKey:StorePath'] = $store
        try {
            Get-ApiKey old* | Remove-ApiKey
            (Get-ApiKey).Name -join ',' | Should -BeExactly 'keep,folder-old'
        }
        finally {
            $PSDefaultParameterValues.Remove('*-ApiKey:StorePath')
        }
    }

    It 'writes a non-terminating ApiKeyNotFound (ObjectNotFound) error for an unknown Id and removes the others' {
        $err = $null
        Remove-ApiKey -StorePath $store -Id $keys['old-1'].Id, 9999, $keys['old-2'].Id -ErrorVariable err -ErrorAction SilentlyContinue
        @($err).Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match '9999'
        (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'keep,OLD-3,folder-old'
    }

    It 'writes ApiKeyNotFound for a key that was already removed and changes nothing' {
        Remove-ApiKey -StorePath $store -Id $keys['keep'].Id
        $before = Get-StoreSnapshot $store
        $err = $null
        $keys['keep'] | Remove-ApiKey -StorePath $store -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-StoreSnapshot $store | Should -BeExactly $before
    }

    It 'removes nothing with -WhatIf (<Case>)' -ForEach @(
        @{ Case = '-Id'; Run = { param($s, $k) Remove-ApiKey -StorePath $s -Id $k['keep'].Id, $k['old-1'].Id -WhatIf } }
        @{ Case = 'pipeline'; Run = { param($s, $k) Get-ApiKey -StorePath $s | Remove-ApiKey -StorePath $s -WhatIf } }
    ) {
        $before = Get-StoreSnapshot $store
        & $Run $store $keys | Should -BeNullOrEmpty
        Get-StoreSnapshot $store | Should -BeExactly $before
    }

    It 'does not reuse the Id of a removed key' {
        Remove-ApiKey -StorePath $store -Id $keys['folder-old'].Id
        $new = New-ApiKey -StorePath $store -Name 'after-remove' -Allowlist @{ method = 'GET'; resource = '/x' }
        $new.Id | Should -BeGreaterThan $keys['folder-old'].Id
    }
}
