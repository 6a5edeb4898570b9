# $PSDefaultParameterValues['*-ApiKey*:StorePath'] reaches every cmdlet of the module.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
}

Describe '$PSDefaultParameterValues for -StorePath' {
    BeforeAll {
        $store = New-TestStorePath $TestDrive
        $savedStore = $env:APIKEYMODULE_STORE
        # Were the default not applied, the cmdlets would use this (empty) store instead.
        $env:APIKEYMODULE_STORE = New-TestStorePath $TestDrive
        $PSDefaultParameterValues['*-ApiKey*:StorePath'] = $store
        $key = New-ApiKey -Name 'defaulted' -Allowlist @{ method = 'GET'; resource = '/pool' }
    }
    AfterAll {
        $PSDefaultParameterValues.Remove('*-ApiKey*:StorePath')
        $env:APIKEYMODULE_STORE = $savedStore
    }

    It 'every exported cmdlet matches the pattern' {
        foreach ($command in Get-Command -Module ApiKeyModule) {
            $command.Name | Should -BeLike '*-ApiKey*'
            $command.Parameters.Keys | Should -Contain 'StorePath'
        }
    }

    It 'New-ApiKey wrote to the defaulted store' {
        Get-ApiKey -Name 'defaulted' -StorePath $store | Should -Not -BeNullOrEmpty
        @(Get-ApiKey -StorePath $env:APIKEYMODULE_STORE).Count | Should -Be 0
    }

    It 'Get-ApiKey reads it' { (Get-ApiKey -Id $key.Id).Name | Should -Be 'defaulted' }
    It 'Test-ApiKey verifies against it' { Test-ApiKey -Key $key.Key | Should -BeTrue }
    It 'Edit-ApiKey writes its template from it' { Edit-ApiKey -Id $key.Id -Template | Should -Match 'name: "defaulted"' }
    It 'Set-ApiKey changes it' { (Set-ApiKey -Id $key.Id -Name 'defaulted2' -PassThru).Name | Should -Be 'defaulted2' }
    It 'Revoke-ApiKey revokes in it' {
        Revoke-ApiKey -Id $key.Id -Reason 'test'
        (Get-ApiKey -Id $key.Id -StorePath $store).Revoked | Should -BeTrue
    }
    It 'Get-ApiKeyAuditLog reads its log' { (Get-ApiKeyAuditLog -Id $key.Id).Action | Should -Contain 'Revoke' }
    It 'Remove-ApiKey removes from it' {
        Remove-ApiKey -Id $key.Id
        @(Get-ApiKey -StorePath $store).Count | Should -Be 0
    }
}
