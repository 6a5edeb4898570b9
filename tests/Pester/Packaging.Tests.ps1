# The package the build makes: a manifest PowerShell accepts, and a .nupkg that a repository takes and that
# Install-PSResource installs and Import-Module loads by name. The install runs in a child pwsh whose home and data
# folders are under $TestDrive, so the repository it registers and the module it installs touch nothing of the user's.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
}

Describe 'Manifest' -Tag Once {
    BeforeAll {
        $manifest = Test-ModuleManifest -Path $env:APIKEYMODULE_TEST_MODULE -ErrorAction Stop
        $data = Import-PowerShellDataFile -Path $env:APIKEYMODULE_TEST_MODULE
    }

    It 'passes Test-ModuleManifest with version, GUID, author and description' {
        $manifest.Version | Should -BeGreaterThan ([version]'0.0')
        $manifest.Guid | Should -Not -Be ([guid]::Empty)
        $manifest.Author | Should -Not -BeNullOrEmpty
        $manifest.Description | Should -Not -BeNullOrEmpty
    }

    It 'declares both editions and Windows PowerShell 5.1' {
        $data.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $data.PowerShellVersion | Should -Be '5.1'
    }

    It 'has the tags <Tag>' -ForEach @(
        @{ Tag = 'PSEdition_Desktop' }, @{ Tag = 'PSEdition_Core' }, @{ Tag = 'Windows' }, @{ Tag = 'Linux' }, @{ Tag = 'MacOS' }
    ) {
        $data.PrivateData.PSData.Tags | Should -Contain $Tag
    }

    It 'names a license' {
        $data.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
    }
}

Describe 'Package' -Tag Once {
    BeforeAll {
        $nupkg = Get-ChildItem -Path $env:APIKEYMODULE_TEST_PACKAGE -Filter 'ApiKeyModule.*.nupkg'
    }

    It 'the build made one .nupkg' {
        @($nupkg).Count | Should -Be 1
    }

    It 'publishes to a temporary local repository, installs with Install-PSResource and imports by name' {
        $home_ = Join-Path $TestDrive 'home'
        $repository = Join-Path $TestDrive 'repository'
        New-Item -ItemType Directory -Path $home_, $repository | Out-Null
        $store = Join-Path $TestDrive 'packaged-store/apikeys.db'
        $script = Join-Path $TestDrive 'install.ps1'
        Set-Content -Path $script -Value @'
param($Repository, $Nupkg, $Store)
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ApiKeyModuleTest -Uri $Repository -Trusted
Publish-PSResource -NupkgPath $Nupkg -Repository ApiKeyModuleTest
Install-PSResource -Name ApiKeyModule -Repository ApiKeyModuleTest -Scope CurrentUser -TrustRepository
Import-Module ApiKeyModule
$module = Get-Module ApiKeyModule
$key = New-ApiKey -Name packaged -StorePath $Store -Allowlist '[{"method":"CALL","resource":"system.info"}]'
[ordered]@{
    ModuleBase = $module.ModuleBase
    Version = "$($module.Version)"
    Valid = Test-ApiKey -Key $key.Key -Method CALL -Resource system.info -StorePath $Store
    Published = @(Get-ChildItem $Repository -Filter *.nupkg).Name
} | ConvertTo-Json -Compress
'@
        $command = Get-PwshCommand
        $rest = @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script, $repository, $nupkg.FullName, $store)
        $saved = @{ HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; PSModulePath = $env:PSModulePath }
        Push-Location $home_
        try {
            $env:HOME = $home_
            $env:XDG_DATA_HOME = Join-Path $home_ '.local/share'
            $env:XDG_CONFIG_HOME = Join-Path $home_ '.config'
            $env:PSModulePath = $null
            $output = @(& $command[0] @rest 2>&1)
        }
        finally {
            Pop-Location
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $result = $output[-1] | ConvertFrom-Json
        $result.ModuleBase | Should -BeLike "$home_*" -Because 'the module was installed under the temporary home'
        $result.Version | Should -Be (Import-PowerShellDataFile $env:APIKEYMODULE_TEST_MODULE).ModuleVersion
        $result.Valid | Should -BeTrue
        $result.Published | Should -Be $nupkg.Name
    }
}
