# Key names: 1-200 characters, no control or format characters, no leading/trailing white space, unique ignoring case.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
}

BeforeDiscovery {
    $invalidNames = @(
        @{ Case = 'that is empty'; Name = '' }
        @{ Case = 'of only spaces'; Name = '   ' }
        @{ Case = 'with a leading space'; Name = ' lead' }
        @{ Case = 'with a trailing space'; Name = 'trail ' }
        @{ Case = 'with a leading tab'; Name = "`tlead" }
        @{ Case = 'with a leading no-break space'; Name = "$([char]0x00A0)lead" }
        @{ Case = 'with a tab inside'; Name = "tab`tinside" }
        @{ Case = 'with a line feed inside'; Name = "line`nbreak" }
        @{ Case = 'with a carriage return inside'; Name = "carriage`rreturn" }
        @{ Case = 'with a NUL inside'; Name = "nul$([char]0)inside" }
        @{ Case = 'with an escape character inside'; Name = "esc$([char]27)[31mred" }
        @{ Case = 'with a right-to-left override inside'; Name = "invoice$([char]0x202E)fdp.exe" }
        @{ Case = 'with a zero-width space inside'; Name = "zero$([char]0x200B)width" }
        @{ Case = 'of 201 characters'; Name = 'n' * 201 }
    )
    $duplicateNames = @(@{ Name = 'Prod' }, @{ Name = 'prod' }, @{ Name = 'PROD' }, @{ Name = 'pRoD' })
}

Describe 'Key names' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $existing = New-ApiKey -StorePath $store -Name 'Prod' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
        $target = New-ApiKey -StorePath $store -Name 'target' -Allowlist @{ method = 'GET'; resource = '/pool' }
        $before = Get-StoreSnapshot $store
    }

    Context 'New-ApiKey' {
        It 'writes InvalidName (InvalidArgument) for a name <Case> and creates nothing' -ForEach $invalidNames {
            $err = $null
            $output = New-ApiKey -StorePath $store -Name $Name -Allowlist @{ method = 'GET'; resource = '/x' } -ErrorVariable err -ErrorAction SilentlyContinue
            $output | Should -BeNullOrEmpty
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidName,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            Get-StoreSnapshot $store | Should -BeExactly $before
        }

        It 'writes DuplicateName (ResourceExists) for ''<Name>'' when ''Prod'' exists, and creates nothing' -ForEach $duplicateNames {
            $err = $null
            $output = New-ApiKey -StorePath $store -Name $Name -Allowlist @{ method = 'GET'; resource = '/x' } -ErrorVariable err -ErrorAction SilentlyContinue
            $output | Should -BeNullOrEmpty
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateName,*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].Exception.Message | Should -Match 'Prod'
            Get-StoreSnapshot $store | Should -BeExactly $before
        }

        It 'accepts a name that differs from an existing one by more than case' {
            $key = New-ApiKey -StorePath $store -Name 'Prod 2' -Allowlist @{ method = 'GET'; resource = '/x' }
            $key.Name | Should -BeExactly 'Prod 2'
        }
    }

    Context 'Set-ApiKey -Name' {
        It 'reports InvalidName (InvalidArgument) for a name <Case> and changes nothing' -ForEach $invalidNames {
            $records = Get-ErrorRecord { Set-ApiKey -StorePath $store -Id $target.Id -Name $Name -PassThru }
            @($records).Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -BeLike 'InvalidName,*'
            $records[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            Get-StoreSnapshot $store | Should -BeExactly $before
        }

        It 'reports DuplicateName (ResourceExists) for ''<Name>'' when ''Prod'' exists, and changes nothing' -ForEach $duplicateNames {
            $records = Get-ErrorRecord { Set-ApiKey -StorePath $store -Id $target.Id -Name $Name -PassThru }
            @($records).Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateName,*'
            $records[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            Get-StoreSnapshot $store | Should -BeExactly $before
        }

        It 'accepts a name of 200 characters with spaces inside' {
            $name = 'a b' + ('c' * 197)
            Set-ApiKey -StorePath $store -Id $target.Id -Name $name
            (Get-ApiKey -StorePath $store -Id $target.Id).Name | Should -BeExactly $name
        }
    }
}
