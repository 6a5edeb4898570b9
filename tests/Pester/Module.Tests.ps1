# The module as a whole: what it exports, the metadata of its cmdlets, and its default views.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
}

Describe 'Module manifest and exports' -Tag Once {
    It 'CmdletsToExport in the manifest is exactly the module cmdlets' {
        $manifest = Import-PowerShellDataFile -Path $env:APIKEYMODULE_TEST_MODULE
        ($manifest.CmdletsToExport | Sort-Object) -join ',' | Should -Be 'Clear-ApiKeyAuditLog,Copy-ApiKeyStore,Edit-ApiKey,Get-ApiKey,Get-ApiKeyAuditLog,New-ApiKey,Remove-ApiKey,Revoke-ApiKey,Set-ApiKey,Test-ApiKey'
    }

    # The assemblies take their version from the manifest when they are built (src/Directory.Build.props).
    It '<Assembly> carries the manifest''s ModuleVersion' -ForEach @(
        @{ Assembly = 'ApiKeyModule.dll' }, @{ Assembly = 'dependencies/ApiKeyModule.Engine.dll' }
    ) {
        $moduleVersion = (Import-PowerShellDataFile -Path $env:APIKEYMODULE_TEST_MODULE).ModuleVersion
        $path = Join-Path (Split-Path -Parent $env:APIKEYMODULE_TEST_MODULE) $Assembly
        # The product version is the version as written, with the source revision after a '+'.
        ([Diagnostics.FileVersionInfo]::GetVersionInfo($path).ProductVersion -replace '\+.*$', '') | Should -BeExactly $moduleVersion
        $expected = [version] $moduleVersion
        [Reflection.AssemblyName]::GetAssemblyName($path).Version |
            Should -Be ([version]::new($expected.Major, $expected.Minor, [Math]::Max($expected.Build, 0), [Math]::Max($expected.Revision, 0)))
    }

    It 'the imported module exposes exactly the module cmdlets and nothing else' {
        $module = Get-Module ApiKeyModule
        ($module.ExportedCmdlets.Keys | Sort-Object) -join ',' | Should -Be 'Clear-ApiKeyAuditLog,Copy-ApiKeyStore,Edit-ApiKey,Get-ApiKey,Get-ApiKeyAuditLog,New-ApiKey,Remove-ApiKey,Revoke-ApiKey,Set-ApiKey,Test-ApiKey'
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
        (Get-Command -Module ApiKeyModule | ForEach-Object Name | Sort-Object) -join ',' | Should -Be 'Clear-ApiKeyAuditLog,Copy-ApiKeyStore,Edit-ApiKey,Get-ApiKey,Get-ApiKeyAuditLog,New-ApiKey,Remove-ApiKey,Revoke-ApiKey,Set-ApiKey,Test-ApiKey'
    }

    It '<Command> has a -StorePath parameter' -ForEach @(
        @{ Command = 'New-ApiKey' }, @{ Command = 'Get-ApiKey' }, @{ Command = 'Set-ApiKey' }, @{ Command = 'Remove-ApiKey' }
        @{ Command = 'Test-ApiKey' }, @{ Command = 'Revoke-ApiKey' }, @{ Command = 'Get-ApiKeyAuditLog' }, @{ Command = 'Clear-ApiKeyAuditLog' }
        @{ Command = 'Copy-ApiKeyStore' }
    ) {
        (Get-Command $Command).Parameters.Keys | Should -Contain 'StorePath'
    }
}

Describe 'Cmdlet metadata' -Tag Once {
    It '<Command> declares the output type(s) <Expected>' -ForEach @(
        @{ Command = 'New-ApiKey'; Expected = 'ApiKeyModule.IssuedApiKey' }
        @{ Command = 'Get-ApiKey'; Expected = 'ApiKeyModule.ApiKey' }
        @{ Command = 'Set-ApiKey'; Expected = 'ApiKeyModule.ApiKey,ApiKeyModule.IssuedApiKey' }
        @{ Command = 'Test-ApiKey'; Expected = 'ApiKeyModule.ApiKeyVerification,System.Boolean' }
        @{ Command = 'Revoke-ApiKey'; Expected = 'ApiKeyModule.ApiKey' }
        @{ Command = 'Get-ApiKeyAuditLog'; Expected = 'ApiKeyModule.ApiKeyAuditEntry' }
        @{ Command = 'Copy-ApiKeyStore'; Expected = 'ApiKeyModule.ApiKeyStoreCopy' }
    ) {
        (@((Get-Command $Command).OutputType | ForEach-Object Name) | Sort-Object -Unique) -join ',' | Should -Be $Expected
    }

    It '<Command> supports ShouldProcess (-WhatIf and -Confirm)' -ForEach @(
        @{ Command = 'New-ApiKey' }, @{ Command = 'Set-ApiKey' }, @{ Command = 'Remove-ApiKey' }, @{ Command = 'Revoke-ApiKey' }
        @{ Command = 'Copy-ApiKeyStore' }, @{ Command = 'Clear-ApiKeyAuditLog' }
    ) {
        $info = Get-Command $Command
        $attribute = $info.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.SupportsShouldProcess | Should -BeTrue
        $info.Parameters.Keys | Should -Contain 'WhatIf'
        $info.Parameters.Keys | Should -Contain 'Confirm'
    }

    It 'Get-ApiKey changes nothing and so has no -WhatIf' {
        (Get-Command Get-ApiKey).Parameters.Keys | Should -Not -Contain 'WhatIf'
    }

    It 'Set-ApiKey does not bind -Name or -Allowlist from the pipeline' {
        $parameters = (Get-Command Set-ApiKey).Parameters
        foreach ($name in 'Name', 'Allowlist') {
            $attributes = $parameters[$name].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
            $attributes | ForEach-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } | Should -Not -Contain $true
        }
    }
}

Describe 'Default views' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $two = New-ApiKey -StorePath $store -Name 'two-entries' -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' }
        $one = New-ApiKey -StorePath $store -Name 'one-entry' -Allowlist @{ method = 'SUBSCRIBE'; resource = 'certificate.query' }
    }

    It 'Get-ApiKey | Format-Table shows the columns Id, Name, State, CreatedAt, Allowlist, with every entry that fits' {
        $text = Get-ApiKey -StorePath $store | Format-Table | Out-String -Width 200
        $text | Should -Match '(?m)^\s*Id\s+Name\s+State\s+CreatedAt\s+Allowlist\s*$'
        $text | Should -Match "(?m)^\s*$($two.Id)\s+two-entries\s+Active\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+CALL system\.info, GET /pool\s*$"
        $text | Should -Match "(?m)^\s*$($one.Id)\s+one-entry\s+.*SUBSCRIBE certificate\.query\s*$"
    }

    It 'Get-ApiKey without Format-Table shows the same table' {
        $text = Get-ApiKey -StorePath $store | Out-String -Width 200
        $text | Should -Match '(?m)^\s*Id\s+Name\s+State\s+CreatedAt\s+Allowlist\s*$'
        $text | Should -Match 'CALL system\.info, GET /pool'
    }

    It 'New-ApiKey output shows the Key' {
        $key = New-ApiKey -StorePath $store -Name 'shown' -WarningAction SilentlyContinue
        $text = $key | Out-String -Width 200
        $text | Should -Match "(?m)^\s*Key\s*:\s*$([regex]::Escape($key.Key))\s*$"
        $text | Should -Match '(?m)^\s*Name\s*:\s*shown\s*$'
    }

    It 'Set-ApiKey -Reset output shows the new Key' {
        $reset = Set-ApiKey -StorePath $store -Id $one.Id -Reset
        $reset | Out-String -Width 200 | Should -Match "(?m)^\s*Key\s*:\s*$([regex]::Escape($reset.Key))\s*$"
    }
}
