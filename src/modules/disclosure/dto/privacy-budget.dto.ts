import { ApiProperty } from '@nestjs/swagger';

export class BudgetAmountDto {
  @ApiProperty() total!: number;
  @ApiProperty() spent!: number;
  @ApiProperty() remaining!: number;
}

export class PrivacyBudgetDto {
  @ApiProperty({ description: 'The rolling period the budget covers (PRIVACY_BUDGET_DAYS)' }) periodDays!: number;
  @ApiProperty({ type: BudgetAmountDto }) epsilon!: BudgetAmountDto;
  @ApiProperty({ type: BudgetAmountDto }) delta!: BudgetAmountDto;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When the oldest spend of the period leaves it and gives its share back',
  })
  nextRefillAt!: string | null;
}
