"""Every sentence a learner reads that depends on numbers, built by pure functions and tested on its strings.

Pages hold only fixed text; a change of wording is made here, once, and tests/nnlab/test_explain.py
pins each sentence.
"""

from __future__ import annotations

import numpy as np

from . import divergence
from .activations import ACTIVATIONS
from .data.describe import SCALINGS
from .diagnostics import GRADCHECK_TOLERANCE
from .divergence import DIVERGENCE_FACTOR
from .health import SATURATED_SLOPE, failure_mode, hidden_share
from .initializers import TUTORIAL_STD
from .linear import rate_report, threshold_rates
from .twin import twin_agrees

# -- training runs ------------------------------------------------------------------------------


def divergence_message(history, config, cause=None):
    """A sentence a learner can act on: when the run blew up, its likely cause (doctor.blowup_cause), what to try."""
    loss, good = history.blowup_loss, history.last_good_epoch
    what = (
        "was not a finite number"
        if not np.isfinite(loss)
        else f"reached {loss:.3g}, over {history.divergence_bound:.3g} (10⁴ × where it started)"
    )
    why = blowup_cause_sentence(*(cause or ("learning_rate", {})), config.lr)
    return (
        f"Training diverged at epoch {history.diverged_at}: the loss {what}. {why} The run was stopped "
        f"there; its history and final numbers are those of epoch {good}, the last before the blow-up."
    )


def blowup_cause_sentence(kind, evidence, lr):
    """The likely cause of a blow-up in one or two sentences, with its numbers."""
    if kind == "unscaled_features":
        return (
            f"Likely cause: the features are not scaled (their standard deviations are "
            f"{evidence['feature_std_spread']:.3g}× apart, typical size {evidence['feature_scale']:.3g}), so "
            f"a rate that suits scaled data is far too large here; standardize the features."
        )
    if kind == "unscaled_target":
        return (
            f"Likely cause: the target is not scaled (typical size {evidence['target_scale']:.3g}), so the "
            f"first errors and gradients are huge; standardize the target."
        )
    too_large = f"Learning rate {lr:g} is too large for this model and data"
    if not evidence:
        return f"{too_large}; try a smaller one."
    return (
        f"{too_large}: at the starting weights the loss's sharpness is λ_max = {evidence['sharpness']:.3g}, so "
        f"gradient descent is stable only for lr < 2/λ_max = {evidence['edge']:.3g}, and {lr:g} is "
        f"{evidence['lr_over_edge']:.3g}× that. Try a smaller one."
    )


def diverging_message(history, config):
    """The warning for a run that grows geometrically without having been stopped (diverging_from)."""
    start = history.diverging_from
    objective = history.objective
    rate = divergence.growth_per_epoch(objective, start)
    return (
        f"Training is diverging: from epoch {start} to the end the loss grew from {objective[start]:.3g} to "
        f"{objective[-1]:.3g}, about ×{rate:.3g} per epoch. It was not stopped because it had not yet passed "
        f"the blow-up bound ({history.divergence_bound:.3g}), but more epochs would blow it up. Learning "
        f"rate {config.lr:g} is too large for this model and data; try a smaller one."
    )


def stopped_note(stopped_at, epochs):
    """What a learner reads after pressing Stop: the last epoch trained (stopped_at counts from 0)."""
    return f"Training was stopped after epoch {stopped_at + 1:,} of {epochs:,}; the charts show the run up to there."


def run_warning(name, history, config):
    """One run's blow-up (or geometric growth) warning, led by its name; None for a calm run."""
    if history.diverged_at is not None:
        return f"**{name}**: {divergence_message(history, config)} Its curves stop there, marked ✕."
    if history.diverging_from is not None:
        return f"**{name}**: {diverging_message(history, config)} ▲ marks it on the loss chart."
    return None


def run_summary(model):
    """The deep page's one-line summary of a fitted MLP: epochs, time, parameters, final (or last good) numbers."""
    history = model.history_
    last = history.last_good_epoch
    n_params = model.config().n_params(model.n_features_in_)
    text = f"{history.epochs:,} epochs in {history.seconds:.2f} s · {n_params:,} parameters · "
    # A run without test rows (the tutorial's toy network) has no test R² to show.
    if history.val_loss is not None:
        score = f"test R² {history.final_val_r2:.3f}"
    else:
        score = f"training R² {history.final_r2:.3f}"
    if history.diverged_at is None:
        text += f"final training loss {history.final_loss:.4g} · {score}"
    else:
        text += (
            f"diverged at epoch {history.diverged_at}; at epoch {last}, the last before the blow-up: "
            f"training loss {history.final_loss:.4g}, {score}"
        )
    stall = failure_mode(model.activation) if model.hidden else None
    if stall:
        share = hidden_share(history, stall)[last]
        text += f" · {'dead' if stall == 'dead_fraction' else 'saturated'} at epoch {last}: {share:.0%}"
    return text


def activation_formulas(names):
    """Each activation's formula and steepest slope, on one line."""
    return " · ".join(
        f"**{name}**: f(z) = {ACTIVATIONS[name].formula}; f′ at most {ACTIVATIONS[name].max_slope:g}" for name in names
    )


def activation_defaults(defaults, seed):
    """Why the activation page's defaults are small, and which seed draws the weights."""
    return (
        f"The defaults are small on purpose ({defaults['depth']} hidden layers of {defaults['width']} "
        f"units, {defaults['epochs']} epochs) so the comparison answers at once; raise them for "
        f"longer runs. Every run trains on full batches from the weights seed {seed} draws."
    )


def comparison_caption(runs, hidden, epochs, seconds):
    """The activation page's caption under its runs: how many networks, how big, how long."""
    return (
        f"Trained {runs} network{'s' * (runs > 1)} of {len(hidden)} hidden "
        f"layers × {hidden[0]:,} units for {epochs:,} epochs in {seconds:.2f} s."
    )


def unit_health_caption(saturated_slope=SATURATED_SLOPE):
    """What the activation page's dead and saturated shares count."""
    return (
        f"Dead: a unit whose slope f′(z) is 0 on every training row. Saturated: a (row, unit) pair "
        f"whose slope is below {saturated_slope:.0%} of the activation's steepest. Shares are over "
        f"all hidden layers."
    )


def activation_explanation(names):
    """Markdown: vanishing gradients, dead and saturated units, naming the activations in ``names``
    whose slope is below 1."""
    slopes = {name: ACTIVATIONS[name].max_slope for name in names}
    flat = [
        f"{name} (at most {slope:g}, so at least {1 / slope:g}× smaller per layer)"
        for name, slope in slopes.items()
        if slope < 1
    ]
    return (
        "**Vanishing gradients.** On its way back, the gradient is multiplied at each hidden layer by "
        "the weights and by f′(z). A slope below 1 shrinks it every time, so the layers nearest the "
        "input hear least about the error and learn last; in the left chart above, their points sit "
        "lowest." + (f" Here that is {', '.join(flat)}." if flat else "") + "\n\n"
        "**Dead units** (ReLU family). Where z < 0, ReLU's slope is exactly 0. A unit whose z is "
        "negative on every training row passes back no gradient at all, so nothing can ever change "
        "its weights again: it is dead for good. Leaky ReLU keeps a small slope there, so its units "
        "cannot die.\n\n"
        "**Saturated units** (sigmoid, tanh). For large |z| these curves go flat and f′(z) is nearly "
        "0: the unit still answers, but passes back almost no gradient, so learning slows to a crawl. "
        "Large weights or inputs push units there; that is why initialisation and feature scaling "
        "matter."
    )


# -- the deep page ---------------------------------------------------------------------------


def hidden_help(max_depth, max_width):
    """The help of the deep page's layer spec: its caps and an example."""
    return (
        f"Up to {max_depth} layers of 1 to {max_width:,} units, e.g. 64, 32. Empty: no hidden layer "
        f"(linear regression)."
    )


def layer_charts_caption(rule):
    """Under the deep page's layer charts: how to read them, with the update-ratio rule of thumb."""
    return (
        f"Left: a layer whose line sits far below the others learns slowly (vanishing gradient); lines "
        f"that shoot up warn of a blow-up. Right: a common rule of thumb wants each update to move a "
        f"layer's weights by about {rule:g} of their size: far below, the layer "
        f"hardly changes; near 1, every epoch rewrites it."
    )


# -- the compare-runs page ---------------------------------------------------------------------


def compare_intro(hidden):
    """The compare page's opening paragraph, naming its network."""
    return (
        f"Does it matter how a network's weights start, and how big its steps are? Here the same "
        f"{'-'.join(map(str, hidden))} network trains once for every pair of initializer and learning "
        "rate you pick. Read the grid to see which pairs learn, which crawl, which never move and which "
        "blow up (✕), then look at the curves and the very first gradients to see why."
    )


def grid_waiting(grid, network, changed):
    """Before the grid trains: how many runs the button will train, and what will appear."""
    note = "The settings or the data changed since the last run. " if changed else ""
    return (
        f"{note}Press **Train the grid** to train these {grid.runs} runs of the {network}, "
        f"{grid.epochs:,} epochs each. Then each cell shows where its run ended; below come the loss "
        "curves, the first gradients of each initializer, and any two runs side by side."
    )


def work_note(seconds, long_seconds):
    """' · about N min of work for one processor core' for a sweep estimated over long_seconds, else ''."""
    return f" · about {seconds / 60:.0f} min of work for one processor core" if seconds > long_seconds else ""


def grid_summary(result, grid, network, seconds):
    """Markdown: how many runs of what were trained, and which healthy cell had the lowest test loss."""
    table, summary = result.table, result.summary()
    healthy = summary[summary.diverged == 0]
    line = (
        f"**{len(table)} runs** ({len(grid.inits)} initializers × {len(grid.lrs)} learning rates × "
        f"{grid.seeds} seed{'s' * (grid.seeds > 1)}) of the {network}, {grid.epochs:,} epochs each, "
        f"trained in {seconds:.1f} s."
    )
    if not healthy.empty:
        best = healthy.loc[healthy.final_val_loss_mean.idxmin()]
        line += (
            f" Lowest test loss: **{best.init}** at learning rate **{best.lr:g}** "
            f"(test R² {best.final_val_r2_mean:.2f}{', mean over seeds' * (grid.seeds > 1)})."
        )
    return line


def heatmap_notes(result, grid):
    """The sentences under the heatmaps: colour scale, seeds, and which runs diverged or are diverging."""
    table = result.table
    notes = ["Bright is good on both. R² 0 means no better than always predicting the average."]
    if (table.final_val_r2[table.diverged_at.isna()] < -1).any():  # a ✕ cell has no colour
        notes.append("R² colours stop at −1; the numbers do not.")
    if grid.seeds > 1:
        notes.append(f"Each cell is the mean of its {grid.seeds} seeds; ✕ if any of them diverged.")
    blown = table[table.diverged_at.notna()]
    if not blown.empty:
        per_rate = "; ".join(
            f"learning rate {lr:g}: {len(part)} of {len(table[table.lr == lr])} runs, "
            f"at epoch {_span(part.diverged_at)}"
            for lr, part in blown.groupby("lr")
        )
        notes.append(
            f"✕ **diverged** ({per_rate}): each step overshot the bottom of the valley by more "
            f"than it corrected, so the loss grew until it passed {_power(DIVERGENCE_FACTOR)} × its "
            "starting size and that run was stopped. A smaller learning rate cures it."
        )
    growing = [result.label(run) for run, history in enumerate(result.histories) if history.diverging_from is not None]
    if growing:
        notes.append(
            f"▲ **diverging** ({'; '.join(growing)}): still growing geometrically at the end, not yet "
            "past the blow-up bound; more epochs would blow it up. A smaller learning rate cures it."
        )
    return notes


def _power(value):
    """1e4 -> '10⁴' (a power of ten in superscript)."""
    exponent = round(np.log10(value))
    return "10" + str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _span(values):
    """'12' when every value is 12, else '12–40'."""
    low, high = int(values.min()), int(values.max())
    return f"{low}" if low == high else f"{low}–{high}"


def overlapping_curves(summary, same_loss, stuck_r2):
    """Which initializers' panels have their lines on top of each other, or None."""
    calm = summary.query("diverged == 0")
    same = [
        init
        for init, part in calm.groupby("init", sort=False)
        if len(part) > 1 and np.ptp(part.final_val_loss_mean) <= same_loss * part.final_val_loss_mean.mean()
    ]
    if not same:
        return None
    stuck = calm[calm.init.isin(same)].final_val_r2_mean.max() < stuck_r2
    return (
        f"In the {', '.join(f'**{init}**' for init in same)} panel{'s' * (len(same) > 1)}, the runs that "
        f"did not diverge ended within {same_loss:.1%} of each other's test loss, so their lines lie on top of one "
        "another"
        + (
            f": none reached a test R² of {stuck_r2:g}, so none did better than predicting the average."
            if stuck
            else "."
        )
    )


def gradient_story(summary, tutorial_std=TUTORIAL_STD):
    """Markdown: what the epoch-0 gradients say, from `health.initial_gradients_summary`'s table."""
    largest = summary.loc[summary.geometric_mean.idxmax(), "group"] if summary.geometric_mean.notna().any() else None
    lines = []
    for row in summary.itertuples():
        if row.all_zero:
            lines.append(f"- **{row.group}**: every weight gradient is exactly 0.")
        elif row.hidden_zero:
            lines.append(
                f"- **{row.group}**: the hidden layers' gradients are exactly 0; only the output layer's are not."
            )
        else:
            size = (
                "the largest here"
                if row.group == largest
                else f"about {1 / row.relative:,.0f}× smaller than {largest}'s"
            )
            lines.append(f"- **{row.group}**: {size}; its layers within {row.spread:.1f}× of each other.")
    return "\n".join([_GRADIENT_HEAD, "", *lines]) + "\n\n" + "\n\n".join(_initializer_reasons(summary, tutorial_std))


_GRADIENT_HEAD = (
    "Each initializer's first gradients, averaged over its runs (the learning rate plays no part "
    "before the first step) and compared by their geometric mean over the layers:"
)


def _initializer_reasons(summary, tutorial_std):
    """One paragraph per kind of initializer present in the summary: why its gradients look so."""
    groups, why = set(summary.group), []
    if groups & {"he", "xavier"}:
        why.append(
            "**He** and **Xavier** scale each layer's weights to its width, so the signal going up and "
            "the error coming back keep their size: every layer starts learning at once."
        )
    if "random" in groups:
        why.append(
            f"**random** draws every weight from N(0, {tutorial_std:g}²) whatever the width, so the "
            "signal shrinks at each layer going up and the error shrinks at each layer coming back down "
            "toward the input. A layer's gradient is the product of the two, so *every* layer's is tiny, "
            "not just the first: at first the network barely moves."
        )
    if "zeros" in groups:
        zeros = summary.set_index("group").loc["zeros"]
        after = (
            "No weight ever moves, so only the output bias learns: a constant prediction."
            if zeros.all_zero
            else "Only the output weights move at first, all alike, so the hidden units stay copies of each "
            "other: each layer works as if it had a single unit."
        )
        why.append(
            "**zeros** makes every unit in a layer identical, so they would get identical updates and "
            "stay copies of each other (symmetry); and with the weights above them at 0, no error "
            f"reaches the hidden layers at all. {after}"
        )
    return why


# -- the dataset explorer --------------------------------------------------------------------


def scaling_sentence(kind, rows):
    """How the columns are scaled, over all ``rows`` rows; kind is `describe.scaling_kind`'s answer."""
    return f"Over all **{rows}** rows, {SCALINGS[kind]}."


def no_descriptions(names, target_name, shown=20):
    """The caption when no column has a description: the first ``shown`` names and the target."""
    more = ", …" if len(names) > shown else ""
    return (
        f"No descriptions are known for these columns ({', '.join(names[:shown])}{more}); the target "
        f"is *{target_name}*."
    )


def unit_norm_story(stats, rows, tutorial):
    """Markdown for unit-norm columns (`describe.column_stats` over ``rows`` rows): why std is 1/√n, not 1.

    tutorial: the columns are the diabetes features, whose tutorial claims std 1.
    """
    std = float(stats["std"].median())
    return (
        (
            "The tutorial says each feature has mean 0 and standard deviation 1. Only the first half is true. "
            if tutorial
            else ""
        )
        + f"The means are zero (the largest is {stats['mean'].abs().max():.1e}), but the standard "
        f"deviations are about **{std:.4f}**: each column was rescaled so that its length "
        f"√Σx² over the {rows} rows is {stats['l2_norm'].median():.4f}, which makes its standard "
        f"deviation 1/√{rows} = {rows**-0.5:.4f}. Pick *standardized* scaling in the sidebar for "
        f"std 1, or *raw units* for the values as measured."
    )


def spread_story(stats):
    """The warning for columns whose standard deviations differ more than tenfold, else None."""
    spread = stats["std"][stats["std"] > 0]
    if not (len(spread) > 1 and spread.max() > 10 * spread.min()):
        return None
    return (
        f"The standard deviations run from {spread.min():.3g} to {spread.max():.3g}, "
        f"a factor of {spread.max() / spread.min():,.0f}. One learning rate has to "
        f"suit every column at once, which is hard when they differ this much."
    )


def correlation_caption(pair, shown, total, limit):
    """Under the heatmap: the most correlated pair (`describe.strongest_pair`, or None), and which
    columns are drawn (``shown`` of ``total`` columns, target included; at most ``limit`` features)."""
    return (
        f"The most correlated features are {pair[0]} and {pair[1]} (r = {pair[2]:.2f}): they carry "
        f"much the same information, which makes the weights of a linear model hard to pin down. "
        if pair
        else ""
    ) + (
        f"Showing the {limit} features most correlated with the target, of {total - 1}."
        if shown < total
        else "Columns are ordered by how strongly they correlate with the target."
    )


def feature_line_sentence(fit, feature, target_title):
    """The best straight line through one feature (`linear.feature_line`'s dict) and the variance it explains."""
    intercept = round(fit["intercept"], 10) + 0.0  # 1e-15 is an intercept of zero
    sign = "−" if intercept < 0 else "+"
    return (
        f"On the training rows, the best straight line is {target_title} ≈ "
        f"{fit['slope']:.4g} × {feature} {sign} {abs(intercept):.4g}. It explains "
        f"**{fit['r2']:.1%}** of the target's variance (R²) on its own; a linear model using "
        f"every column can only do better on these rows."
    )


def split_caption(target_title, seed):
    """Under the split table: what it describes, the split seed, and why the halves should look alike."""
    return (
        f"Statistics of the target, {target_title}. Split seed {seed} (sidebar). The two distributions "
        f"should look alike: if they did not, the test score would measure a different problem from the "
        f"one trained on."
    )


# -- the data sidebar ------------------------------------------------------------------------


def dataset_summary(name, train_rows, test_rows, features, target_name):
    """The sidebar's one-line summary of the data in use."""
    return (
        f"**{name}**: {train_rows} training rows, {test_rows} test rows, {features} "
        f"feature{'s' * (features != 1)}, predicting *{target_name}*."
    )


def target_scaling_note(mean, std):
    """How the target was standardized, with the training rows' mean and std."""
    return f"Target standardized with the training rows' mean {mean:.4g} and std {std:.4g}."


def csv_caption(name, size_bytes):
    """The uploaded CSV in use, with its size."""
    return f"Using **{name}** ({size_bytes / 1024:,.1f} KB). Upload another file to replace it."


FEATURES_IN_USE = {
    "sklearn": "as scikit-learn ships them: each column mean-centred with unit L2 norm (std ≈ 0.048)",
    "raw": "in their original units, as the file or the source gives them",
    "standardized": "standardized with the training rows' mean and std (mean 0, std 1)",
    "synthetic": "already on a unit scale (a synthetic set)",
}


def features_in_use(scaling_in_use):
    """The sidebar's line on what the features the network sees are (Dataset.scaling_in_use)."""
    return f"Features {FEATURES_IN_USE[scaling_in_use]}."


def target_guess(target, columns):
    """Under a CSV's target picker: the target in use, and whether it was the reader's guess."""
    if target != columns.default_target:
        return f"Predicting **{target}**, your choice."
    where = "the last column" if columns.names and target == columns.names[-1] else "the last usable column"
    return f"Predicting **{target}**, {where}: is that what you want? Pick another above."


def no_target(name):
    """A CSV with no column that can be predicted."""
    return f"**{name}** has no column that can be the target: each needs at least 10 numbers and more than one value."


# -- the home page ---------------------------------------------------------------------------


def home_story(slow_lr, fast_lr, bound):
    """Under the home chart: the tutorial's slow rate, a fast one, and the bound between them and a blow-up."""
    return (
        f"Both lines train the same linear model by gradient descent for 1,000 epochs on the "
        f"tutorial's data (diabetes as scikit-learn ships it, 353 training rows). At the "
        f"tutorial's learning rate of {slow_lr:g} the loss *does* fall, just slowly: it is not "
        f"stuck. On this data gradient descent is stable for learning rates below "
        f"{bound:.2f}, so {fast_lr:g} reaches the dashed line, the best any linear "
        f"model can do, within a few hundred epochs. Above {bound:.2f} the loss blows up."
    )


# -- the tutorial and the linear model -------------------------------------------------------


def scaling_note(scaling):
    """The linear page's note on which feature scaling (its display name) the sidebar chose."""
    return (
        f"Feature scaling comes from the sidebar; these features are in *{scaling}*. Change it "
        "there and watch the bound move."
    )


def tutorial_predictions(predictions, targets):
    """The three-example problem's predictions beside the targets the tutorial printed."""
    return (
        f"Predictions {', '.join(f'{p:.6f}' for p in predictions)} for targets "
        f"{', '.join(f'{t:g}' for t in targets)}: the same numbers the tutorial printed."
    )


def bug_story(bug):
    """Markdown: what one_example_bug() found, in numbers."""
    printed, true = bug["check"].relative_error
    return (
        f"Replaying the tutorial's code from its starting weights: its loss was computed with `w * x` "
        f"(element by element) but its gradient with `np.dot(w, x)`. The printed loss stalls at "
        f"{bug['printed'][-1]:.5g}, while the prediction w·x + b reaches {bug['prediction']:.6g} and the "
        f"true loss is exactly 0 from epoch {int((bug['true'] > 0).sum())}.\n\n"
        f"**A gradient check would have caught it at once**: compare the code's gradient with finite "
        f"differences of each loss at the starting weights. Relative error against the printed loss: "
        f"**{printed:.3f}** (a mismatch); against the true loss: **{true:.1e}** (a match)."
    )


def share_of_bound(ratio):
    """'1% of the bound' or, far over it, '735 × the bound'."""
    return f"{ratio * 100:.3g}% of the bound" if ratio < 10 else f"{ratio:,.3g} × the bound"


def bound_story(stability):
    """Markdown: why the bound is 2/λ_max, and what 1%, 99% and 101% of it do on these data."""
    bound = stability["bound"]
    slow, under, over = ({"lr": r, **rate_report(r, stability)} for r in threshold_rates(stability).values())
    condition = (
        ""
        if stability["condition"] > 1e12
        else f" (the condition number, {stability['condition']:,.0f}, says how uneven the directions are)"
    )
    return (
        f"**Why the bound is {bound:.5g}.** Along a direction where the loss curves by λ, one step of size "
        f"lr multiplies the remaining error by |1 − lr·λ|. The most curved direction of these data has "
        f"λ_max = {stability['lambda_max']:.5g}, so that factor stays below 1, and training converges, only "
        f"while lr < 2/λ_max = {bound:.5g}. For these data:\n"
        f"- **lr {slow['lr']:.3g}** ({share_of_bound(slow['ratio'])}) **crawls**: even the most curved "
        f"direction keeps {slow['stiffest']:.0%} of its error per epoch, and the flattest one needs "
        f"{slow['epochs_slowest']:,.0f} epochs to shrink its error tenfold.\n"
        f"- **lr {under['lr']:.4g}** ({share_of_bound(under['ratio'])}) **converges** as fast as plain "
        f"gradient descent can: the most "
        f"curved direction overshoots and flips sign each step but still shrinks (× {under['stiffest']:.2f}), "
        f"and the flattest needs {under['epochs_slowest']:,.0f} epochs per tenfold{condition}.\n"
        f"- **lr {over['lr']:.4g}** ({share_of_bound(over['ratio'])}) **diverges**: the most curved direction grows "
        f"× {over['stiffest']:.2f} per epoch, slowly at first, until the loss explodes."
    )


def rate_sentence(lr, report, history=None, floor=None):
    """Markdown: where the user's rate sits, and (given its History and the least-squares floor) how
    close it came to that floor."""
    text = f"Your rate, {lr:g}, is {share_of_bound(report['ratio'])}: it **{report['regime']}**"
    if history is None or history.diverged_at is not None or floor is None:
        return text + "."
    epochs, final = len(history.loss), history.final_loss
    if floor <= 1e-12 * history.loss[0]:  # the rows can be fitted exactly: the floor is 0 (to round-off)
        return text + f"; after {epochs:,} epochs the training loss is {final:.3g}, where an exact fit gives 0."
    return (
        text + f"; after {epochs:,} epochs the training loss is {final / floor - 1:.1%} above the least-squares floor."
    )


def over_bound_warning(lr, report, stability):
    """The sentence shown before training at a rate at or over the bound."""
    bound = stability["bound"]
    return (
        f"Learning rate {lr:g} is {report['ratio']:.3g} × this data's stability bound 2/λ_max = {bound:.5g}: "
        f"along the most curved direction each step multiplies the error by {report['stiffest']:.4g}, so "
        f"this run is expected to blow up. Any rate below {bound:.5g} converges."
    )


# -- checks a learner can trust --------------------------------------------------------------


def gradcheck_verdict(table):
    """(passed, sentence) for a gradcheck table: does backprop agree with finite differences?"""
    worst = table.loc[table.relative_error.idxmax()]
    checked, entries = int(table.checked.sum()), int(table.entries.sum())
    amount = "every gradient entry" if checked == entries else f"{checked:,} of {entries:,} gradient entries"
    if table.ok.all():
        return True, (
            f"Backprop agrees with finite differences on {amount}: the largest relative "
            f"error is {worst.relative_error:.1e} (the bar is {GRADCHECK_TOLERANCE:.0e})."
        )
    bad = table[~table.ok]
    where = ", ".join(f"layer {int(r.layer) + 1} {r.param}" for r in bad.itertuples())
    return False, (
        f"Backprop and finite differences disagree in {where}: relative error up to "
        f"{bad.relative_error.max():.1e}, over the bar of {GRADCHECK_TOLERANCE:.0e}."
    )


def twin_verdict(twin):
    """(agrees, sentence) on a sklearn_twin result; agrees is None when no exact match is owed."""
    if not twin["exact"]:
        return None, (
            f"With mini-batches (or float32) the two libraries do not take exactly the same steps, "
            f"so the runs differ (their test predictions by up to {twin['max_gap']:.3g}); the R² "
            f"should be of the same order, and closer the calmer the run."
        )
    agrees = twin_agrees(twin)
    steps = "the same steps" if agrees else "different steps, which they should not"
    return agrees, (
        f"With full batches both libraries took {steps}: their test predictions differ by at most "
        f"{twin['max_gap']:.1e} (in the target's training units)."
    )


def gradcheck_heading(when, rows):
    """The heading over one gradient check: at the start or the end, on how many rows."""
    return f"**Gradient check at the {when} of training** (on {rows} training rows)"


def twin_caption(twin):
    """Under the scikit-learn comparison: how the settings were converted, and how long the twin trained."""
    return f"{twin_settings_note(twin['settings'])} It trained in {twin['seconds']:.2f} s."


def twin_settings_note(settings):
    """How the settings were converted, in a sentence with the numbers used."""
    rate = (
        "its SGD needs twice the learning rate"
        if settings["solver"] == "sgd"
        else "Adam, which divides that scale out, keeps the rate (and halves its ε)"
    )
    return (
        f"scikit-learn minimises ½·MSE + α/(2·batch)·Σ‖W‖², half of nnlab's MSE + l2·Σ‖W‖² when "
        f"α = l2 · batch = {settings['alpha']:g}. Half the loss is half the gradient, so {rate}: "
        f"learning_rate_init = {settings['learning_rate_init']:g}."
    )


# -- the training doctor (nnlab.doctor): message(evidence, epochs, layers, config, fix) per kind -------


def _layer_list(layers):
    """'layer 2' or 'layers 1 and 2', counted from the input side starting at 1."""
    names = [str(layer + 1) for layer in layers]
    if len(names) == 1:
        return f"layer {names[0]}"
    return "layers " + ", ".join(names[:-1]) + " and " + names[-1]


# Sharpness within 10% of 2/lr: full-batch gradient descent has driven it up to the edge and
# hovers there (Cohen et al. 2021, "the edge of stability").
AT_THE_EDGE = 0.9


def _edge_clause(evidence, config):
    """What the sharpness says about the rate, when it is known; else ''."""
    if "sharpness" not in evidence:
        return ""
    edge = 2 / evidence["sharpness"] if evidence["sharpness"] > 0 else np.inf
    ratio = evidence["lr_over_edge"]
    side = (
        "above that edge"
        if ratio > 1
        else "at that edge, where training hovers"
        if ratio >= AT_THE_EDGE
        else "below that edge"
    )
    return (
        f" The loss's sharpness (its largest curvature, λ_max) is {evidence['sharpness']:.3g}, so gradient "
        f"descent is stable only for lr < 2/λ_max = {edge:.3g}; lr {config.lr:.3g} is {side}."
    )


def doctor_diverged(evidence, epochs, layers, config, fix):
    """The doctor's message for a run stopped because its loss blew up."""
    loss = evidence["blowup_loss"]
    what = (
        "was no longer a finite number"
        if not np.isfinite(loss)
        else f"reached {loss:.3g}, past the stop bound {evidence['divergence_bound']:.3g}"
    )
    return (
        f"At epoch {evidence['diverged_at']} the loss {what}, so training was stopped there. Each step "
        f"overshot the valley of the loss by more than it corrected, so the next gradient was larger still."
        + _edge_clause(evidence, config)
        + f" Try a learning rate ten times smaller, {fix['lr']:g}."
    )


def doctor_diverging(evidence, epochs, layers, config, fix):
    """The doctor's message for a run whose loss grows geometrically without having been stopped."""
    return (
        f"From epoch {evidence['diverging_from']} the loss grew about ×{evidence['growth_per_epoch']:.3g} per "
        f"epoch: the run has not blown up yet, but more epochs would. Each step overshoots the valley of "
        f"the loss by more than it corrects."
        + _edge_clause(evidence, config)
        + f" Try a learning rate ten times smaller, {fix['lr']:g}."
    )


def doctor_oscillating(evidence, epochs, layers, config, fix):
    """The doctor's message for a loss that keeps going up and down."""
    why = (
        " Each mini-batch pulls the weights toward its own rows, and at this rate the pull is large."
        if config.batch_size is not None
        else ""
    )
    return (
        f"In the second half of training the loss rose in {evidence['rising_share']:.0%} of the epochs, by "
        f"{evidence['median_rise']:.2%} each time (median): it bounces across the valley instead of "
        f"settling into it.{why}" + _edge_clause(evidence, config) + f" Try a smaller learning rate, {fix['lr']:g}."
    )


def doctor_lr_too_small(evidence, epochs, layers, config, fix):
    """The doctor's message for a loss that falls steadily but very slowly."""
    if "lr_over_bound" in evidence:
        return (
            f"Learning rate {config.lr:g} is {share_of_bound(evidence['lr_over_bound'])} for this linear "
            f"model: every step is safe but tiny, so the loss crawls. Any rate below the bound converges; "
            f"try half of it, {fix['lr']:g}."
        )
    edge = ""
    if "sharpness" in evidence:
        edge = (
            f" The sharpness says rates up to 2/λ_max = {2 / evidence['sharpness']:.3g} are stable, and lr "
            f"{config.lr:.3g} uses {evidence['lr_over_edge'] * 100:.2g}% of that."
        )
    return (
        f"The loss fell in every epoch, and as fast at the end as at the start ({evidence['last_quarter_drop']:.1%} "
        f"of its first value in the last quarter, {evidence['first_quarter_drop']:.1%} in the first): it "
        f"has far to go and is not levelling off. The steps are simply small.{edge} Try lr {fix['lr']:g}."
    )


WORSE_THAN_MEAN_R2 = -0.1  # below this a "stalled" run is not at the mean: it predicts worse than it


def doctor_stalled(evidence, epochs, layers, config, fix):
    """The doctor's message for a network that learned no more than the mean."""
    r2 = evidence["final_r2"]
    what = (
        "the network predicts about the mean of the target for every row, the best a constant can do"
        if r2 > WORSE_THAN_MEAN_R2
        else "the network does worse than predicting the mean of the target for every row (which scores 0): "
        "it has not even learned the average"
    )
    return (
        f"After {epochs[1] + 1} epochs the training R² is {r2:.3f}: {what}. Something stops the "
        f"error from reaching the weights; the other findings say what (dead or saturated units, a "
        f"vanishing gradient, identical units, or an initialization too small)."
    )


def doctor_dead(evidence, epochs, layers, config, fix):
    """The doctor's message for ReLU-family units that stopped answering on every row."""
    return (
        f"From epoch {epochs[0]}, {evidence['dead_share']:.0%} of the units in {_layer_list(layers)} are "
        f"dead: their input is negative on every training row, so their slope, and the gradient they pass "
        f"back, is exactly 0, and nothing can revive them. Large steps push units there; leaky ReLU keeps "
        f"a small slope for negative inputs, so its units cannot die."
    )


def doctor_saturated(evidence, epochs, layers, config, fix):
    """The doctor's message for sigmoid or tanh units on the flat parts of their curve."""
    when = (
        "from the first epoch"
        if evidence["initial_saturated_share"] >= evidence["saturated_share"] * 0.9
        else f"from epoch {epochs[0]}"
    )
    return (
        f"{evidence['saturated_share']:.0%} of the (row, unit) pairs in {_layer_list(layers)} sit on the flat "
        f"part of {config.activation}, {when}: there the slope is nearly 0, so almost no gradient gets "
        f"through. Inputs or weights too large push units there: scale the features, start from smaller "
        f"weights, or take smaller steps."
    )


def doctor_vanishing(evidence, epochs, layers, config, fix):
    """The doctor's message for a gradient that fades before it reaches the first layer."""
    return (
        f"At the start the first layer's gradient is {evidence['gradient_ratio']:.1e} of the output layer's: "
        f"on its way down, each layer multiplies it by its weights and by f′(z), and here that shrinks it "
        f"at every layer. The layers near the input hardly learn; an activation whose slope reaches 1 "
        f"(tanh, ReLU) or an initializer scaled to the layers' widths keeps it alive."
    )


def doctor_exploding(evidence, epochs, layers, config, fix):
    """The doctor's message for a layer's gradient that grew by orders of magnitude."""
    return (
        f"The gradient of {_layer_list(layers)} grew {evidence['gradient_growth']:,.0f}× over its first value "
        f"(by epoch {epochs[1]}): the steps grew with it, each one larger than the last. This is how a "
        f"blow-up begins; try a learning rate ten times smaller, {fix['lr']:g}."
    )


def doctor_symmetric(evidence, epochs, layers, config, fix):
    """The doctor's message for hidden units that are all alike (zero or constant initialization)."""
    return (
        f"Every unit in {_layer_list(layers)} is still a copy of the others: started from identical weights "
        f"(init {config.init!r}), they compute the same thing, get the same gradient and make the same "
        f"update, so each layer works as if it had a single unit. Random initial weights break the "
        f"symmetry."
    )


def doctor_overfitting(evidence, epochs, layers, config, fix):
    """The doctor's message for a validation loss that rose from its best while training went on."""
    return (
        f"The test loss was lowest at epoch {evidence['best_epoch']} ({evidence['best_val_loss']:.3g}) and ended "
        f"{evidence['val_loss_rise']:.0%} above it, while the training loss kept falling "
        f"({evidence['train_loss_fall']:.0%} lower): from there the network learned the training rows' "
        f"noise, not the pattern. Stop at epoch {evidence['best_epoch']}: train {evidence['best_epoch'] + 1} epochs."
    )


def doctor_unscaled_features(evidence, epochs, layers, config, fix):
    """The doctor's message for features whose sizes are far from 1 or far from each other."""
    return (
        f"The feature columns are not on a common scale: their standard deviations are up to "
        f"{evidence['feature_std_spread']:,.3g}× apart, and a typical column's size is "
        f"{evidence['feature_scale']:.3g}. One learning rate must suit every column at once, and large "
        f"inputs push units flat or blow the first step up. Standardize the features (the sidebar's scaling)."
    )


def doctor_unscaled_target(evidence, epochs, layers, config, fix):
    """The doctor's message for a target far from the size of the network's outputs."""
    return (
        f"The target's typical size is {evidence['target_scale']:.3g} (mean {evidence['target_mean']:.3g}, "
        f"standard deviation {evidence['target_std']:.3g}), while a freshly initialized network outputs "
        f"values near 1. The first gradients are then huge or tiny, which kills units or stalls learning. "
        f"Standardize the target (the sidebar's target scaling)."
    )


def doctor_summary(history, findings):
    """One line: a healthy run's key numbers, or how many problems and warnings the doctor found."""
    serious = [f for f in findings if f.severity in ("problem", "warning")]
    if serious:
        problems = sum(f.severity == "problem" for f in serious)
        warnings = len(serious) - problems
        counts = [f"{n} {word}{'s' * (n != 1)}" for n, word in ((problems, "problem"), (warnings, "warning")) if n]
        return f"{' and '.join(counts)}: " + "; ".join(f.kind.replace("_", " ") for f in serious) + "."
    text = (
        f"Healthy: the training loss fell from {history.loss[0]:.3g} to {history.final_loss:.3g} in "
        f"{history.epochs:,} epochs (training R² {history.final_r2:.3f})"
    )
    if np.isfinite(history.final_val_r2):
        text += f", test R² {history.final_val_r2:.3f}"
    config = getattr(history, "config", None)
    linear = config is not None and not config.hidden
    return text + ("." if linear else ", with no unit stalled and no gradient lost.")


def doctor_fix_outcome(before, after, before_history, after_history):
    """What a fix did, from the Diagnoses and Histories of the run before and after it: the findings
    gone, kept and new, and the R² (test rows where recorded, else training) before → after."""
    gone = [k for k in before.kinds if k not in after.kinds]
    kept = [k for k in before.kinds if k in after.kinds]
    new = [k for k in after.kinds if k not in before.kinds]
    parts = [
        f"{label}: {', '.join(k.replace('_', ' ') for k in kinds)}."
        for label, kinds in (("Gone", gone), ("Still there", kept), ("New", new))
        if kinds
    ]
    which = (
        "test" if np.isfinite(before_history.final_val_r2) and np.isfinite(after_history.final_val_r2) else "training"
    )
    field = "final_val_r2" if which == "test" else "final_r2"
    parts.append(f"{which.capitalize()} R² {getattr(before_history, field):.2f} → {getattr(after_history, field):.2f}.")
    return " ".join(parts)


def doctor_fix_change(config, fix):
    """The single change a fix makes, as a learner reads it: 'learning rate 1 → 0.1'."""
    names = {"lr": "learning rate", "init": "initial weights", "activation": "activation", "epochs": "epochs"}
    return ", ".join(f"{names.get(k, k)} {_setting(getattr(config, k))} → {_setting(v)}" for k, v in fix.items())


def _setting(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def verdict_spread(verdict, count, seeds):
    """A grid cell's verdict over its seeds: 'diverged', or '2/3 seeds diverged' when they disagree."""
    return verdict if count == seeds else f"{count}/{seeds} seeds {verdict}"


# -- the tutorial, step by step (pages/0_Follow_the_tutorial.py) -----------------------------------


def _agreement(difference):
    """'the same to 8 decimals' for the largest difference between two lists of numbers."""
    if difference == 0:
        return "exactly the same"
    decimals = int(np.floor(-np.log10(difference)))
    return f"the same to {decimals} decimals" if decimals > 0 else f"{difference:.3g} apart"


def tutorial_one_example(difference, printed_loss, true_loss, prediction):
    """Step 1: nnlab's final weights against the printed ones, and why the printed loss stays at 398.98 (ERRATA 1)."""
    return (
        f"From the tutorial's start weights nnlab ends at the weights, bias and prediction it printed, "
        f"{_agreement(difference)} (prediction {prediction:.6g}). The loss it printed, {printed_loss:.5g}, "
        f"is not the error of that prediction: it squares w₁x₁ + b − y, …, w₅x₅ + b − y one feature at a "
        f"time and averages them, because `w * x` multiplies without summing. The code's gradient belongs "
        f"to the prediction's own squared error, (w·x + b − y)², which is {true_loss:.3g} at the end. "
        f"So the prediction is perfect while the printed number never moves."
    )


def tutorial_three_examples(difference, loss_difference):
    """Step 2: nnlab's weights, bias, predictions and losses against the printed ones."""
    return (
        f"Weights, bias and predictions are those the tutorial printed, {_agreement(difference)}; the "
        f"losses it printed every 100 epochs, {_agreement(loss_difference)}. The same algorithm on the "
        f"same numbers gives the same answer."
    )


def tutorial_first_loss(first, printed, mean, var, gap):
    """Step 3: why the first diabetes loss from w = 0, b = 0 is not the tutorial's 6078.97 (ERRATA 5)."""
    return (
        f"With w = 0 every prediction is the bias b, so the first loss is var(y) + (ȳ − b)² = "
        f"{var:,.1f} + ({mean:.2f} − b)². With b = 0, as the cell says, that is **{first:,.1f}**; nnlab "
        f"starts there, and so does the tutorial's own `MyModel` a few cells later. The printed "
        f"{printed:,.2f} needs b within {gap:.2f} of ȳ = {mean:.2f}: the bias had already been trained "
        f"by an earlier run of the notebook, and only w was reset to zero."
    )


def tutorial_r2(r2_zeros, r2_random, printed, closed_form, epochs, lr, bound):
    """Step 3: test R² after the tutorial's long run against PyTorch's figure and least squares (ERRATA 6)."""
    return (
        f"After {epochs:,} epochs at lr {lr:g} nnlab's test R² is {r2_zeros:.4f} from zero and "
        f"{r2_random:.4f} from small random weights; the tutorial's PyTorch run printed {printed:.4f}. "
        f"Least squares, the best any linear model can do on this split, reaches {closed_form:.4f}: "
        f"the run is not finished, because lr {lr:g} is {lr / bound:.1%} of the largest stable rate on "
        f"this data, 2/λ_max = {bound:.2f}."
    )


def tutorial_units(target_mean, target_std):
    """Step 3: why the app's default numbers differ from the tutorial's (the target is standardized)."""
    return (
        f"The app standardizes the target by default (subtracts {target_mean:.1f}, divides by "
        f"{target_std:.1f}), so its losses are in standardized units and about "
        f"{target_std**2:,.0f} times smaller than the tutorial's, and its weights differ too. The tutorial "
        f"trains on the target in its own units; the numbers here, and the link below, use those units."
    )


def tutorial_network(nnlab_losses, loop_losses, printed_first, printed_last, floor, n_rows, lr):
    """Step 4: the toy network's curves, nnlab's and the tutorial's loop, and its gradient bug (ERRATA 7)."""
    return (
        f"The tutorial steps along dA = ŷ − y but prints the mean squared error, whose gradient is "
        f"2(ŷ − y)/{n_rows}: its steps are {n_rows / 2:g} times the loss's own gradient, as if lr were "
        f"{lr * n_rows / 2:g} instead of {lr:g}. From the same start weights nnlab's loss goes from "
        f"{nnlab_losses[0]:,.1f} to {nnlab_losses[-1]:.4f} and the tutorial's loop from "
        f"{loop_losses[0]:,.1f} to {loop_losses[-1]:.4f}. Both settle near {floor:.3g}, as the tutorial's did "
        f"({printed_first:,.1f} to {printed_last:.4f}): the three rows lie on one line, so a network whose "
        f"ReLUs are all on, or "
        f"all off, for every row fits a straight line through them, and the best straight line has "
        f"mean squared error {floor:.3g}. Its start weights were drawn without a seed, so its first loss "
        f"cannot be reproduced; nnlab's seed sets these."
    )


def toy_network_note(n_rows, lr):
    """The deep page on the tutorial's toy network: its gradient bug (ERRATA 7) for this learning rate."""
    return (
        f"These are the tutorial's {n_rows} rows, all of them training rows: it has no test split, so "
        f"there is no test curve. Its code trains this network along dA = ŷ − y, without the 2/{n_rows} "
        f"of the mean squared error it prints, so its steps are {n_rows / 2:g} times the loss's own "
        f"gradient: at lr {lr:g} it moves as if lr were {lr * n_rows / 2:g}. nnlab steps along the "
        f"loss's own gradient; the Follow the tutorial page draws both from the same start. The "
        f"tutorial also trains on its raw targets, so the doctor's word about an unscaled target holds "
        f"here; the sidebar's scalings do not apply to these rows."
    )


def tutorial_network_predictions(predictions, targets):
    """Step 4: the toy network's predictions beside its three targets."""
    pairs = ", ".join(f"{p:.2f} for {t:g}" for p, t in zip(predictions, targets))
    return f"nnlab's network predicts {pairs}: a nearly straight line through the three targets."


def prediction_sentence(target_name, value):
    """Under the "predict this input" box: what the network answers, in the target's own units."""
    return f"For this input the network predicts **{target_name} = {value:.4g}**."
