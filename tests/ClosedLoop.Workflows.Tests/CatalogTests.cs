using ClosedLoop.Workflows.Definitions;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Workflows.Tests;

public sealed class CatalogTests
{
    [Fact]
    public void The_engine_registers_only_control_flow_and_modules_add_theirs()
    {
        var services = new ServiceCollection();
        foreach (var d in ModuleActivities.All)
        {
            services.AddWorkflowActivity(d);        // before AddWorkflowDefinitions: order does not matter
        }

        services.AddWorkflowDefinitions();
        services.AddSingleton<IDefinitionReferenceCheck>(new FakeCheck("team", "tier-2"));
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        var catalog = provider.GetRequiredService<ActivityCatalog>();
        Assert.Same(catalog, provider.GetRequiredService<ActivityCatalog>());
        Assert.Equal(
            ["AssignCase", "CallWebhook", "Delay", "End", "EscalateCase", "FlowDecision", "FlowFork", "FlowJoin", "FlowSwitch", "SendMessage", "SendSurvey", "SetCaseStatus", "SetVariable", "Start", "WaitForCaseEvent"],
            catalog.All.Select(d => d.Type));
        using var scope = provider.CreateScope();
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<DefinitionValidator>());
    }

    [Fact]
    public void Built_in_descriptors_have_the_documented_ports_and_kinds()
    {
        var catalog = new ServiceCollection().AddWorkflowDefinitions().BuildServiceProvider().GetRequiredService<ActivityCatalog>();

        Assert.True(catalog.TryGet("FlowDecision", out var decision));
        Assert.Equal(["True", "False"], decision.Ports);
        Assert.Equal(ActivityKind.Decision, decision.Kind);
        Assert.True(catalog.TryGet("FlowJoin", out var join));
        Assert.Equal(["WaitAll", "WaitAny"], join.Inputs.Single().AllowedValues!);
        Assert.True(catalog.TryGet("Delay", out var delay));
        Assert.Equal(ActivityKind.Wait, delay.Kind);
        Assert.Equal([("duration", InputType.TimeSpan), ("businessHours", InputType.Boolean)], delay.Inputs.Select(i => (i.Name, i.Type)));
        Assert.False(catalog.TryGet("SendMessage", out _));
    }

    [Fact]
    public void A_type_registers_once()
    {
        var catalog = ModuleActivities.Catalog();

        Assert.Throws<InvalidOperationException>(() => catalog.Register(ModuleActivities.All[0]));
    }

    [Theory]
    [InlineData("bad type")]
    [InlineData("")]
    public void A_malformed_descriptor_is_refused(string type)
    {
        Assert.Throws<ArgumentException>(() => new ActivityCatalog().Register(new ActivityDescriptor(type, "x", [], ["Done"], ActivityKind.Normal)));
    }

    [Fact]
    public void An_enum_input_needs_its_values_and_an_end_has_no_ports()
    {
        var catalog = new ActivityCatalog();

        Assert.Throws<ArgumentException>(() => catalog.Register(new ActivityDescriptor("X", "x", [new("mode", InputType.Enum, true, "m")], ["Done"], ActivityKind.Normal)));
        Assert.Throws<ArgumentException>(() => catalog.Register(new ActivityDescriptor("Y", "y", [], ["Done"], ActivityKind.End)));
        Assert.Throws<ArgumentException>(() => catalog.Register(new ActivityDescriptor("Z", "z", [new("id", InputType.String, true, "m")], ["Done"], ActivityKind.Normal)));
    }
}
